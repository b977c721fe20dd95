import CallVaultFiles
import Foundation
import Testing

@Suite("FileSystemError: the call, the path and the errno, in words")
struct FileSystemErrorTests {
    @Test("each factory names its system call, the path and strerror's text",
          arguments: [
            (FileSystemError.write("/a/.x.tmp-1", errno: ENOSPC), "write /a/.x.tmp-1: No space left on device"),
            (FileSystemError.fsync("/a/.x.tmp-1", errno: EIO), "fsync /a/.x.tmp-1: Input/output error"),
            (FileSystemError.rename("/a/x", errno: EISDIR), "rename /a/x: Is a directory"),
            (FileSystemError.fsyncFolder("/a", errno: EIO), "fsync folder /a: Input/output error"),
            (FileSystemError.openFolder("/a", errno: ENOENT), "open folder /a: No such file or directory"),
            (FileSystemError.unlink("/a/x", errno: EACCES), "delete /a/x: Permission denied (unlink)"),
            (FileSystemError.create("/a/.x.tmp-1", errno: EROFS), "create /a/.x.tmp-1: Read-only file system (open)"),
            (FileSystemError.lock("/db.lock", errno: ENOLCK), "flock /db.lock: No locks available"),
          ])
    func wording(error: FileSystemError, expected: String) {
        #expect(error.description == expected)
        #expect(expected.contains(error.path))
        #expect(expected.contains(error.reason))
    }

    @Test("a named step keeps its words and adds the call")
    func during() {
        let error = FileSystemError.link("/spool/incoming/a.wav", errno: EACCES).during("move to failed/")
        #expect(error.description == "move to failed/ /spool/incoming/a.wav: Permission denied (link)")
        #expect(error.syscall == "link")
        #expect(error.errnoCode == EACCES)
    }

    @Test("a full disk, a quota and a read-only mount are the environment's fault")
    func environment() {
        #expect(FileSystemError.write("/a", errno: ENOSPC).isOutOfSpace)
        #expect(FileSystemError.write("/a", errno: EDQUOT).isOutOfSpace)
        #expect(FileSystemError.create("/a", errno: EROFS).isReadOnly)
        #expect(!FileSystemError.write("/a", errno: EIO).isOutOfSpace)
    }

    @Test("a folder that cannot be fsynced is an error, never ignored")
    func directorySyncThrows() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try DirectorySync.sync(folder: folder.path)
        try DirectorySync.syncFolder(of: folder.file("any-name"))
        let error = try #require(throws: FileSystemError.self) { try DirectorySync.sync(folder: folder.file("gone")) }
        #expect(error.description == "open folder \(folder.file("gone")): No such file or directory")
    }
}
