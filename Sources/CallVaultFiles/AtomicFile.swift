import Crypto
import Foundation
import SystemPackage

/// A file written under a temporary name beside its destination, then fsynced and renamed.
///
/// Readers never see a half-written file: until ``finish()`` the content lives in
/// `.NAME.tmp-TAG`; `finish()` fsyncs it, renames it over `NAME` and fsyncs the folder.
/// Dropped unfinished, it deletes the temporary file. Every byte written also feeds a SHA-256.
///
/// With a ``ContentEncoder`` (age encryption) the bytes written are the *content* and the encoder's
/// output is what is stored: the digest ``finish()`` returns is the stored file's, and
/// ``contentSHA256`` the content's, so a reader can check either without the other.
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
    private var descriptor: FileDescriptor?
    private var hasher = SHA256()
    private var finished = false
    /// Turns the content into the stored bytes as it streams (nil: stored as written).
    private var encoder: (any ContentEncoder)?
    private var contentHasher = SHA256()
    /// Bytes of content written (equal to ``bytesWritten`` without an encoder).
    public private(set) var contentBytes = 0
    /// SHA-256 (hex) of the content as written, before any encoder; set by ``sync()``.
    public private(set) var contentSHA256: String?

    /// The temporary-name marker; `tag` lets a cleaner tell whose temporary file it is.
    public static func temporaryPath(for path: String, tag: String) -> String {
        let folder = FileLocation.folder(of: path)
        return (folder == "/" ? "" : folder) + "/." + FileLocation.name(of: path) + ".tmp-" + tag
    }

    /// `encoder`, when given, is made once the temporary file is open, with the function that
    /// stores bytes (hashed as the stored file); it may store a header at once.
    public init(path: String, mode: mode_t = 0o640, tag: String = "\(getpid())",
                encoder: ContentEncoderFactory? = nil) throws(FileSystemError) {
        self.path = path
        self.temporaryPath = Self.temporaryPath(for: path, tag: tag)
        Glibc.unlink(temporaryPath)
        do {
            let fd = try FileLocation.open(temporaryPath, .writeOnly,
                                             options: [.create, .exclusiveCreate, .noFollow, .closeOnExec],
                                             permissions: FilePermissions(rawValue: mode))
            // The umask may have narrowed `mode` (or widened nothing): set it exactly.
            fchmod(fd.rawValue, mode)
            descriptor = fd
        } catch {
            throw .create(temporaryPath, errno: FileLocation.errno(of: error))
        }
        if let encoder {
            do {
                self.encoder = try encoder { [unowned self] bytes in try self.store(bytes) }
            } catch {
                discard()
                throw Self.encoderFailure(error, path: temporaryPath)
            }
        }
    }

    deinit {
        if !finished { discard() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        guard let encoder else { return try store(bytes) }
        contentHasher.update(bufferPointer: bytes)
        contentBytes += bytes.count
        do { try encoder.write(bytes) } catch { throw Self.encoderFailure(error, path: temporaryPath) }
    }

    /// An encoder's failure: its own store's ``FileSystemError`` as it is, anything else (a
    /// cipher that refused) as an I/O error on the temporary file.
    private static func encoderFailure(_ error: any Error, path: String) -> FileSystemError {
        (error as? FileSystemError) ?? .write(path, errno: EIO)
    }

    /// Writes stored bytes: the content itself, or the encoder's output.
    private func store(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        guard let descriptor else { preconditionFailure("write() on a closed file") }
        hasher.update(bufferPointer: bytes)
        do {
            _ = try descriptor.writeAll(bytes)
        } catch {
            throw .write(temporaryPath, errno: FileLocation.errno(of: error))
        }
        bytesWritten += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws(FileSystemError) {
        var failure: FileSystemError?
        bytes.withUnsafeBytes { buffer in
            do throws(FileSystemError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Fsyncs, renames into place, fsyncs the folder; returns the SHA-256 of the content, hex.
    @discardableResult
    public func finish() throws(FileSystemError) -> String {
        let digest = try sync()
        try commitRename()
        return digest
    }

    /// First half of ``finish()``: fsyncs and closes the temporary file; returns its SHA-256, hex.
    /// The file stays under its temporary name until ``commitRename()``.
    public func sync() throws(FileSystemError) -> String {
        guard let descriptor, !finished else { preconditionFailure("sync() on a closed file") }
        if let encoder {
            do { try encoder.finish() } catch {
                discard()
                throw Self.encoderFailure(error, path: temporaryPath)
            }
        }
        if Glibc.fsync(descriptor.rawValue) != 0 {
            let e = Glibc.errno
            discard()
            throw .fsync(temporaryPath, errno: e)
        }
        self.descriptor = nil
        do {
            try descriptor.close()
        } catch {
            discard()
            throw .close(temporaryPath, errno: FileLocation.errno(of: error))
        }
        let digest = hasher.finalize().hexDigits
        contentSHA256 = encoder == nil ? digest : contentHasher.finalize().hexDigits
        if encoder == nil { contentBytes = bytesWritten }
        encoder = nil
        return digest
    }

    /// Second half of ``finish()``: renames the synced file into place and fsyncs the folder.
    /// From here on the temporary file is never deleted, even if the rename fails: whoever
    /// committed to this content (an index record) can still find it and retry.
    public func commitRename() throws(FileSystemError) {
        precondition(descriptor == nil && !finished, "commitRename() before sync()")
        finished = true
        try FileMove.rename(temporaryPath, to: path)
        try DirectorySync.syncFolder(of: path)
    }

    /// Deletes the temporary file; the destination is untouched.
    public func discard() {
        if let descriptor {
            try? descriptor.close()
            self.descriptor = nil
        }
        Glibc.unlink(temporaryPath)
        finished = true
    }

    /// Writes `data` atomically in one go.
    public static func write(_ data: [UInt8], to path: String, mode: mode_t = 0o640) throws(FileSystemError) {
        let file = try AtomicFile(path: path, mode: mode)
        try file.write(data)
        try file.finish()
    }
}
