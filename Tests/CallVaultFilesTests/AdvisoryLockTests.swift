import CallVaultFiles
import Foundation
import Testing

@Suite("AdvisoryLock: flock excludes every other open file, in this process too")
struct AdvisoryLockTests {
    @Test("two descriptors on one lock file: the second cannot take it until the first lets go")
    func exclusion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("index.sqlite.job-nightly.lock")
        var first: AdvisoryLock? = try AdvisoryLock(path: path, creatingWith: 0o600)
        let second = try AdvisoryLock(path: path, creatingWith: 0o600)
        #expect(try #require(first).tryLock())
        #expect(try !second.tryLock())
        first = nil  // closing the descriptor drops the lock
        #expect(try second.tryLock())
    }

    @Test("created 0600 whatever the umask; the holder's pid replaces the content")
    func modeAndContent() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("owner.lock")
        try folder.write("a much longer stale text\n", to: "owner.lock")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let lock = try AdvisoryLock(path: path, creatingWith: 0o600)
        #expect(try lock.tryLock())
        lock.replaceContents(with: "4242\n")
        #expect(folder.contents("owner.lock") == Array("4242\n".utf8))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }

    @Test("without a mode the lock file must exist: the open fails and names the path")
    func mustExist() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let error = try #require(throws: FileSystemError.self) { try AdvisoryLock(path: folder.file("dead.lock")) }
        #expect(error.description == "open \(folder.file("dead.lock")): No such file or directory")
        #expect(!folder.exists("dead.lock"))
    }
}
