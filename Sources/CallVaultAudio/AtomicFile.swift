import CallVaultCore
import Crypto
import Foundation

/// A file written under a temporary name beside its destination, then fsynced and renamed.
///
/// Readers never see a half-written file: until ``finish()`` the content lives in
/// `.NAME.tmp-TAG`; `finish()` fsyncs it, renames it over `NAME` and fsyncs the folder.
/// Dropped unfinished, it deletes the temporary file. Every byte written also feeds a SHA-256.
///
/// ```swift
/// let file = try AtomicFile(path: "/archive/2026/11/29/x.opus", mode: 0o640)
/// try file.write(bytes)
/// let digest = try file.finish()
/// ```
public final class AtomicFile {
    public let path: String
    public let temporaryPath: String
    public private(set) var bytesWritten = 0
    private var fd: Int32
    private var hasher = SHA256()
    private var finished = false

    /// The temporary-name marker; `tag` lets a cleaner tell whose temporary file it is.
    public static func temporaryPath(for path: String, tag: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(tag)").path
    }

    public init(path: String, mode: mode_t = 0o640, tag: String = "\(getpid())") throws {
        self.path = path
        self.temporaryPath = Self.temporaryPath(for: path, tag: tag)
        unlink(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 { throw FileError("create", path: temporaryPath, errno: errno) }
        fchmod(fd, mode)
    }

    deinit {
        if !finished { discard() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError("write", path: temporaryPath, errno: errno)
            }
            offset += n
        }
        bytesWritten += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Fsyncs, renames into place, fsyncs the folder; returns the SHA-256 of the content, hex.
    @discardableResult
    public func finish() throws -> String {
        let digest = try sync()
        try commitRename()
        return digest
    }

    /// First half of ``finish()``: fsyncs and closes the temporary file; returns its SHA-256, hex.
    /// The file stays under its temporary name until ``commitRename()``.
    public func sync() throws -> String {
        precondition(fd >= 0 && !finished, "sync() on a closed file")
        if fsync(fd) != 0 { let e = errno; discard(); throw FileError("fsync", path: temporaryPath, errno: e) }
        if close(fd) != 0 { let e = errno; fd = -1; discard(); throw FileError("close", path: temporaryPath, errno: e) }
        fd = -1
        return hasher.finalize().hexString
    }

    /// Second half of ``finish()``: renames the synced file into place and fsyncs the folder.
    /// From here on the temporary file is never deleted, even if the rename fails: whoever
    /// committed to this content (an index record) can still find it and retry.
    public func commitRename() throws {
        precondition(fd < 0 && !finished, "commitRename() before sync()")
        finished = true
        if rename(temporaryPath, path) != 0 { throw FileError("rename", path: path, errno: errno) }
        try Self.syncDirectory(of: path)
    }

    /// Deletes the temporary file; the destination is untouched.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        finished = true
    }

    /// Makes a rename or unlink in the folder of `path` durable.
    public static func syncDirectory(of path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd < 0 { throw FileError("open folder", path: dir, errno: errno) }
        defer { close(dfd) }
        if fsync(dfd) != 0 && errno != EINVAL { throw FileError("fsync folder", path: dir, errno: errno) }
    }

    /// Writes `data` atomically in one go.
    public static func write(_ data: [UInt8], to path: String, mode: mode_t = 0o640) throws {
        let file = try AtomicFile(path: path, mode: mode)
        try file.write(data)
        try file.finish()
    }
}
