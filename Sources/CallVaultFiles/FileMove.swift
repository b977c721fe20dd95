import Foundation
import SystemPackage

/// Renames and moves between folders of one file system.
///
/// ```swift
/// let kept = try FileMove.withoutReplacing("/spool/incoming/a.wav", into: "/spool/failed", name: "a.wav")
/// // "/spool/failed/a.wav", or "/spool/failed/a.wav.1" when an earlier a.wav is there
/// ```
public enum FileMove {
    /// `rename(2)`: replaces `destination` atomically. The error names the destination.
    public static func rename(_ source: String, to destination: String) throws(FileSystemError) {
        if Glibc.rename(source, destination) != 0 { throw .rename(destination, errno: Glibc.errno) }
    }

    /// Moves `path` to `folder/name`, or `folder/name.1`, `.2`… when that name is taken: an
    /// existing file is never replaced. `link(2)` refuses an existing target, then the source name
    /// goes; on a file system without hard links, a rename after checking that the name is free.
    /// Returns the path moved to. The caller fsyncs the folders when the move must be durable.
    @discardableResult
    public static func withoutReplacing(_ path: String, into folder: String, name: String) throws(FileSystemError) -> String {
        for n in 0..<10_000 {
            let target = folder + "/" + (n == 0 ? name : "\(name).\(n)")
            if Glibc.link(path, target) == 0 {
                if Glibc.unlink(path) != 0 && Glibc.errno != ENOENT { throw .unlink(path, errno: Glibc.errno) }
                return target
            }
            let e = Glibc.errno
            if e == EEXIST { continue }
            if e == EPERM || e == EXDEV || e == EMLINK {
                var st = stat()
                if lstat(target, &st) == 0 { continue }
                if Glibc.rename(path, target) != 0 { throw .rename(path, errno: Glibc.errno) }
                return target
            }
            throw .link(path, errno: e)
        }
        throw .link(path, errno: EEXIST)
    }

    /// `unlink(2)` of a file that may already be gone: true when this call removed it.
    @discardableResult
    public static func remove(_ path: String) throws(FileSystemError) -> Bool {
        if Glibc.unlink(path) == 0 { return true }
        let e = Glibc.errno
        if e == ENOENT { return false }
        throw .unlink(path, errno: e)
    }
}
