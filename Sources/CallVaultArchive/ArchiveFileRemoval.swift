import CallVaultFiles
import CallVaultStore

/// Deletes one archive file durably: the shared last step of retention and erasure.
///
/// Both mark the record (purged or erased) and audit it in one transaction first, then call this:
/// the unlink is durable only once its folder is fsynced, so a failure there is reported, not
/// ignored (the record already says the audio is gone, and a rerun finds nothing left to undo).
/// A file that was already gone changed nothing in the folder.
enum ArchiveFileRemoval {
    /// Removes `root/relative`; a path that climbs out of the archive is refused, never followed.
    static func remove(_ relative: String, under root: String) throws {
        guard !relative.split(separator: "/").contains("..") else {
            throw IndexError(.unusable, "the index names an archive path that climbs out of the archive: \(relative)")
        }
        let path = root + "/" + relative
        let removed: Bool
        do throws(FileSystemError) {
            removed = try FileMove.remove(path)
        } catch {
            throw IndexError(.unusable, "cannot delete \(path): \(error.reason)")
        }
        guard removed else { return }
        do throws(FileSystemError) {
            try DirectorySync.syncFolder(of: path)
        } catch {
            throw IndexError(.unusable, "\(path) was deleted but its folder could not be made durable: \(error)")
        }
    }
}
