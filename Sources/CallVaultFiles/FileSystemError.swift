import SystemPackage

/// A failed system call on a named path, worded for an operator reading `failed/*.error.json`:
/// `write /srv/archive/2026/11/29/.c0f3.opus.tmp-job7-1-4be1: No space left on device`.
///
/// The message is what the caller was doing, the path, and the errno text; when the words of the
/// step are not the call itself (`create`, `delete`, `move to failed/`), the call follows in
/// brackets: `delete /spool/incoming/a.wav: Permission denied (unlink)`. Values are made by one
/// factory per system call (`FileSystemError+Syscall.swift`), so the code stays private and cases
/// can grow without breaking callers, as swift-nio's `NIOFS.FileSystemError` does.
///
/// ```swift
/// do { try AtomicFile.write(bytes, to: path) }
/// catch let error as FileSystemError where error.isOutOfSpace { … stop the run, lose nothing … }
/// ```
public struct FileSystemError: Error, CustomStringConvertible, Sendable {
    enum Code: Sendable {
        case open, create, read, write, fsync, close, rename, link, unlink, mkdir
        case openFolder, fsyncFolder, listFolder, stat, lstat, access, lock
    }

    private let code: Code
    /// The path the call was given (for `rename`, the destination).
    public let path: String
    /// The errno the call set.
    public let errno: Errno
    /// Words for the step when they say more than the call, e.g. `move to done/`.
    public private(set) var step: String?

    init(_ code: Code, path: String, errno: Errno) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    /// The system call that failed, as its manual page names it: `open`, `fsync`, `flock`…
    public var syscall: String {
        switch code {
        case .open, .create, .openFolder: "open"
        case .read: "read"
        case .write: "write"
        case .fsync, .fsyncFolder: "fsync"
        case .close: "close"
        case .rename: "rename"
        case .link: "link"
        case .unlink: "unlink"
        case .mkdir: "mkdir"
        case .listFolder: "opendir"
        case .stat: "stat"
        case .lstat: "lstat"
        case .access: "access"
        case .lock: "flock"
        }
    }

    /// The words for what was being done: the step when the caller named one, else the call.
    private var doing: String {
        if let step { return step }
        switch code {
        case .create: return "create"
        case .unlink: return "delete"
        case .openFolder: return "open folder"
        case .fsyncFolder: return "fsync folder"
        default: return syscall
        }
    }

    /// The errno as text (`strerror(3)`), e.g. `No space left on device`.
    public var reason: String { errno.description }

    /// Any errno as the system words it (`strerror(3)`), for a failure that is not a file's (a
    /// socket's bind, say): the one place outside swift-system that turns an errno into text.
    public static func words(errno: Int32) -> String { Errno(rawValue: errno).description }

    /// The raw errno value, for callers that compare it with the C constants.
    public var errnoCode: Int32 { errno.rawValue }

    public var description: String {
        let words = doing
        let call = words.hasPrefix(syscall) ? "" : " (\(syscall))"
        return "\(words) \(path): \(reason)\(call)"
    }

    /// The same failure, described as part of `step` (`move to failed/`).
    public func during(_ step: String) -> FileSystemError {
        var copy = self
        copy.step = step
        return copy
    }

    /// True when the device is full or over quota: the environment, not the input, is at fault.
    public var isOutOfSpace: Bool { errno == .noSpace || errno == .diskQuotaExceeded }

    /// True when the file system is mounted read-only.
    public var isReadOnly: Bool { errno == .readOnlyFileSystem }
}
