import CallVaultCore
import CallVaultFiles
import Foundation

/// The archive root: `YYYY/MM/DD/ID.opus` by the UTC date of `started_at` (`ID.opus.age` when
/// `[encryption] recipients` are set), files 0640, folders 0750.
///
/// Paths are built only from the date and the ``RecordID`` (hex), never from sidecar text, and
/// every folder on the way is checked to be a real folder, not a symlink out of the root.
public struct Archive: Sendable {
    public let root: String
    public var fileMode: mode_t = 0o640
    public var folderMode: mode_t = 0o750
    /// Group given to archive files and folders (`archive_group`), so auditors can read them.
    public var groupID: gid_t?

    public init(root: String) { self.root = root }

    public func check() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw WorkerError.configuration("archive folder \(root) does not exist")
        }
        guard access(root, W_OK) == 0 else {
            throw WorkerError.configuration("archive folder \(root) is not writable")
        }
    }

    /// `2026/11/28/c0123….opus` (or `….opus.age`, encrypted), relative to the root.
    public static func relativePath(id: String, startedAt: Date, encrypted: Bool = false) -> String {
        precondition(RecordID.isWellFormed(id))
        return Timestamp.archiveFolder(startedAt) + "/" + id + (encrypted ? ".opus.age" : ".opus")
    }

    public func absolute(_ relative: String) -> String { root + "/" + relative }

    /// Creates the date folders of `relative` (0750), refusing symlinks anywhere below the root.
    public func prepareFolders(for relative: String) throws {
        var path = root
        for component in relative.split(separator: "/").dropLast() {
            path += "/" + component
            var st = stat()
            if lstat(path, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw WorkerError.transient("\(path) in the archive is not a folder (a symlink or file); refusing to write through it")
                }
                continue
            }
            if mkdir(path, folderMode) != 0 && errno != EEXIST {
                let failure = FileSystemError.mkdir(path, errno: errno)
                if failure.isOutOfSpace || failure.isReadOnly {
                    throw WorkerError.environment("cannot create \(path): \(failure.reason)")
                }
                throw WorkerError.transient("cannot create \(path): \(failure.reason)")
            }
            chmod(path, folderMode)
            if let groupID { chown(path, uid_t.max, groupID) }
        }
    }

    /// Resolves a group name (`archive_group`) to its id.
    public static func groupID(named name: String) throws -> gid_t {
        guard let group = getgrnam(name) else { throw WorkerError.configuration("archive_group \(name.debugDescription) is not a group on this machine") }
        return group.pointee.gr_gid
    }

    /// Gives a finished archive file its group.
    public func applyGroup(_ relative: String) {
        if let groupID { chown(absolute(relative), uid_t.max, groupID) }
    }
}
