import Foundation
import SystemPackage

/// An exclusive `flock(2)` on a lock file, held as long as this value lives (the kernel drops it
/// when the descriptor closes, or when the process dies, even by SIGKILL).
///
/// `flock` belongs to the open file, not the process: two `AdvisoryLock`s on one path exclude each
/// other even inside one process, which is what lets a worker test whether another is alive.
///
/// ```swift
/// let lock = try AdvisoryLock(path: db + ".job-nightly.lock", creatingWith: 0o600)
/// guard try lock.tryLock() else { … someone else runs this job … }
/// ```
public final class AdvisoryLock: Sendable {
    public let path: String
    /// The raw descriptor (swift-system's `FileDescriptor` is not `Sendable`); closed in `deinit`.
    private let fd: Int32

    /// Opens `path` for reading and writing (only reading with `readOnly`: `flock` needs no write
    /// access, and closing a read-only descriptor raises no `IN_CLOSE_WRITE` for inotify watchers).
    /// With `mode`, creates it when missing and sets that mode whatever the umask; without, the file
    /// must exist.
    public init(path: String, creatingWith mode: mode_t? = nil, readOnly: Bool = false) throws(FileSystemError) {
        self.path = path
        do {
            var options: FileDescriptor.OpenOptions = [.closeOnExec]
            if mode != nil { options.insert(.create) }
            let descriptor = try FileLocation.open(path, readOnly ? .readOnly : .readWrite, options: options,
                                                   permissions: mode.map { FilePermissions(rawValue: $0) })
            fd = descriptor.rawValue
        } catch {
            throw .open(path, errno: FileLocation.errno(of: error))
        }
        if let mode { fchmod(fd, mode) }
    }

    deinit { Glibc.close(fd) }

    /// Takes the lock without waiting: true when this value now holds it, false when another open
    /// file does. Any other failure (`ENOLCK`, …) is thrown.
    public func tryLock() throws(FileSystemError) -> Bool {
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = Glibc.errno
            if e == EINTR { continue }
            if e == EWOULDBLOCK { return false }
            throw .lock(path, errno: e)
        }
        return true
    }

    /// Replaces the lock file's content (the holder's pid, for a message), best effort: the lock,
    /// not the text, is what excludes.
    public func replaceContents(with text: String) {
        _ = ftruncate(fd, 0)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    }
}
