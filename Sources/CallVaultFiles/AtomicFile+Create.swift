import Foundation

extension AtomicFile {
    /// Writes `data` at `path` only when no file is there yet, atomically: the temporary file is
    /// fsynced, then `link(2)`ed to `path`, which refuses an existing name where `rename(2)`
    /// would replace it, and the folder fsynced. Of several processes creating one file at once
    /// (machines starting on a shared folder), exactly one creates it; the others get false and
    /// read the winner's. On a file system without hard links, a rename after checking that the
    /// name is free (a narrow race, as ``FileMove/withoutReplacing(_:into:name:)``).
    ///
    /// ```swift
    /// let created = try AtomicFile.create(Array(json.utf8), at: spool + "/.callvault-spool")
    /// ```
    @discardableResult
    public static func create(_ data: [UInt8], at path: String, mode: mode_t = 0o644) throws(FileSystemError) -> Bool {
        // The pid alone may be another machine's too on a shared folder.
        let file = try AtomicFile(path: path, mode: mode, tag: "\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        try file.write(data)
        _ = try file.sync()
        defer { file.discard() }
        if Glibc.link(file.temporaryPath, path) != 0 {
            let e = Glibc.errno
            if e == EEXIST { return false }
            guard e == EPERM || e == EXDEV || e == EMLINK else { throw .link(path, errno: e) }
            var st = stat()
            if lstat(path, &st) == 0 { return false }
            try FileMove.rename(file.temporaryPath, to: path)
        }
        try DirectorySync.syncFolder(of: path)
        return true
    }
}
