import CallVaultFiles
import Foundation
import Testing

@Suite("FileMove: renames, and moves that never replace")
struct FileMoveTests {
    @Test("a name already taken is never overwritten: the file goes to NAME.1, then NAME.2")
    func refusesToOverwrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("failed"), withIntermediateDirectories: false)
        try folder.write("first delivery", to: "failed/a.wav")
        try folder.write("second delivery", to: "a.wav")
        let moved = try FileMove.withoutReplacing(folder.file("a.wav"), into: folder.file("failed"), name: "a.wav")
        #expect(moved == folder.file("failed/a.wav.1"))
        #expect(folder.contents("failed/a.wav") == Array("first delivery".utf8))
        #expect(folder.contents("failed/a.wav.1") == Array("second delivery".utf8))
        #expect(!folder.exists("a.wav"))
        try folder.write("third delivery", to: "a.wav")
        #expect(try FileMove.withoutReplacing(folder.file("a.wav"), into: folder.file("failed"), name: "a.wav") == folder.file("failed/a.wav.2"))
    }

    @Test("a symlink in the way counts as taken")
    func symlinkIsTaken() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("done"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder.file("done/b.json"), withDestinationPath: "/nonexistent")
        try folder.write("{}", to: "b.json")
        #expect(try FileMove.withoutReplacing(folder.file("b.json"), into: folder.file("done"), name: "b.json") == folder.file("done/b.json.1"))
    }

    @Test("a source that is not there: the error names the link and the source")
    func missingSource() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let error = try #require(throws: FileSystemError.self) {
            try FileMove.withoutReplacing(folder.file("gone.wav"), into: folder.path, name: "x.wav")
        }
        #expect(error.during("move to done/").description == "move to done/ \(folder.file("gone.wav")): No such file or directory (link)")
    }

    @Test("rename replaces; remove says whether there was anything to remove")
    func renameAndRemove() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("new", to: "a")
        try folder.write("old", to: "b")
        try FileMove.rename(folder.file("a"), to: folder.file("b"))
        #expect(folder.contents("b") == Array("new".utf8))
        #expect(try FileMove.remove(folder.file("b")))
        #expect(try !FileMove.remove(folder.file("b")))
    }
}
