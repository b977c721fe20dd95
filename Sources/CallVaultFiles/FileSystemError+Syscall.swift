import SystemPackage

/// One factory per system call, each naming the path it was given. `errno` is the value the
/// call left in the C `errno` (read it at once, before anything else can change it).
extension FileSystemError {
    /// `open(2)` of an existing file.
    public static func open(_ path: String, errno: Int32) -> FileSystemError { .init(.open, path: path, errno: Errno(rawValue: errno)) }
    /// `open(2)` with `O_CREAT | O_EXCL`: a new file.
    public static func create(_ path: String, errno: Int32) -> FileSystemError { .init(.create, path: path, errno: Errno(rawValue: errno)) }
    /// `read(2)`.
    public static func read(_ path: String, errno: Int32) -> FileSystemError { .init(.read, path: path, errno: Errno(rawValue: errno)) }
    /// `write(2)`.
    public static func write(_ path: String, errno: Int32) -> FileSystemError { .init(.write, path: path, errno: Errno(rawValue: errno)) }
    /// `fsync(2)` of a file.
    public static func fsync(_ path: String, errno: Int32) -> FileSystemError { .init(.fsync, path: path, errno: Errno(rawValue: errno)) }
    /// `close(2)`: on some file systems the last chance to hear of a failed write.
    public static func close(_ path: String, errno: Int32) -> FileSystemError { .init(.close, path: path, errno: Errno(rawValue: errno)) }
    /// `rename(2)`; `path` is the name the caller reports (``AtomicFile``: the destination).
    public static func rename(_ path: String, errno: Int32) -> FileSystemError { .init(.rename, path: path, errno: Errno(rawValue: errno)) }
    /// `link(2)`; `path` is the source.
    public static func link(_ path: String, errno: Int32) -> FileSystemError { .init(.link, path: path, errno: Errno(rawValue: errno)) }
    /// `unlink(2)`.
    public static func unlink(_ path: String, errno: Int32) -> FileSystemError { .init(.unlink, path: path, errno: Errno(rawValue: errno)) }
    /// `mkdir(2)`.
    public static func mkdir(_ path: String, errno: Int32) -> FileSystemError { .init(.mkdir, path: path, errno: Errno(rawValue: errno)) }
    /// `open(2)` of a folder with `O_DIRECTORY`, to fsync it.
    public static func openFolder(_ path: String, errno: Int32) -> FileSystemError { .init(.openFolder, path: path, errno: Errno(rawValue: errno)) }
    /// `fsync(2)` of a folder: what makes a rename or unlink in it durable.
    public static func fsyncFolder(_ path: String, errno: Int32) -> FileSystemError { .init(.fsyncFolder, path: path, errno: Errno(rawValue: errno)) }
    /// `opendir(3)`.
    public static func listFolder(_ path: String, errno: Int32) -> FileSystemError { .init(.listFolder, path: path, errno: Errno(rawValue: errno)) }
    /// `stat(2)`: follows a symlink.
    public static func stat(_ path: String, errno: Int32) -> FileSystemError { .init(.stat, path: path, errno: Errno(rawValue: errno)) }
    /// `lstat(2)`: the name itself, a symlink included.
    public static func lstat(_ path: String, errno: Int32) -> FileSystemError { .init(.lstat, path: path, errno: Errno(rawValue: errno)) }
    /// `access(2)`: may this process read, write or enter `path`.
    public static func access(_ path: String, errno: Int32) -> FileSystemError { .init(.access, path: path, errno: Errno(rawValue: errno)) }
    /// `flock(2)`.
    public static func lock(_ path: String, errno: Int32) -> FileSystemError { .init(.lock, path: path, errno: Errno(rawValue: errno)) }
}
