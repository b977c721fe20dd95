import Foundation
import SystemPackage

/// Fsyncs a file that is already written and closed, e.g. a temporary file an earlier process
/// left: its content is durable before anything (a rename, a record) relies on it.
public enum FileSync {
    /// Opens `path` read-only without following a symlink and fsyncs it.
    public static func sync(_ path: String) throws(FileSystemError) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileLocation.open(path, .readOnly, options: [.noFollow, .closeOnExec])
        } catch {
            throw .open(path, errno: FileLocation.errno(of: error))
        }
        defer { try? descriptor.close() }
        if Glibc.fsync(descriptor.rawValue) != 0 { throw .fsync(path, errno: Glibc.errno) }
    }
}
