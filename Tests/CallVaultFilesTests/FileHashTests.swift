import CallVaultFiles
import Foundation
import Testing

@Suite("FileHash: SHA-256 of a file, streamed")
struct FileHashTests {
    @Test("known digests: empty, \"abc\", and a million a's (many 64 KiB reads)",
          arguments: [
            ("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("a", 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
          ])
    func knownDigests(piece: String, times: Int, expected: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let content = String(repeating: piece, count: times)
        try folder.write(content, to: "f")
        let digest = try FileHash.sha256(path: folder.file("f"))
        #expect(digest.hex == expected)
        #expect(digest.bytes == content.utf8.count)
    }

    @Test("never through a symlink: the open fails and says so")
    func refusesSymlink() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("abc", to: "real")
        try FileManager.default.createSymbolicLink(atPath: folder.file("link"), withDestinationPath: folder.file("real"))
        let error = try #require(throws: FileSystemError.self) { try FileHash.sha256(path: folder.file("link")) }
        #expect(error.syscall == "open")
        #expect(error.description.hasPrefix("open \(folder.file("link")): "))
    }
}
