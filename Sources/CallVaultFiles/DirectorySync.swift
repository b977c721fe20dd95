import Foundation
import SystemPackage

/// Makes a rename, link or unlink in a folder durable: the entry itself lives in the folder, so
/// without the folder's fsync a crash can bring back the old name (or lose the new one).
///
/// ```swift
/// try FileMove.rename(temporary, to: final)
/// try DirectorySync.syncFolder(of: final)
/// ```
public enum DirectorySync {
    /// Fsyncs the folder holding `path` (a relative path is taken from the current folder).
    public static func syncFolder(of path: String) throws(FileSystemError) {
        try sync(folder: FileLocation.folder(of: path))
    }

    /// Fsyncs `folder` itself. A file system that cannot fsync a folder (`EINVAL`) has nothing to
    /// make durable that way; every other failure is thrown, never ignored.
    public static func sync(folder: String) throws(FileSystemError) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileLocation.open(folder, .readOnly, options: [.directory, .closeOnExec])
        } catch {
            throw .openFolder(folder, errno: FileLocation.errno(of: error))
        }
        defer { try? descriptor.close() }
        if Glibc.fsync(descriptor.rawValue) != 0 && Glibc.errno != EINVAL {
            throw .fsyncFolder(folder, errno: Glibc.errno)
        }
    }
}
