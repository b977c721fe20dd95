import CallVaultFiles
import Foundation
import Testing

@Suite("AtomicFile: a reader sees the whole file or nothing")
struct AtomicFileTests {
    @Test("what is written lives under the temporary name only, until finish")
    func invisibleUntilFinish() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try AtomicFile(path: folder.file("call.opus"), tag: "t1")
        try file.write(Array("OggS and more".utf8))
        #expect(!folder.exists("call.opus"))
        #expect(try folder.names() == [".call.opus.tmp-t1"])
        #expect(file.temporaryPath == folder.file(".call.opus.tmp-t1"))
        #expect(file.bytesWritten == 13)
        try file.finish()
        #expect(try folder.names() == ["call.opus"])
    }

    @Test("finish fsyncs and closes, then renames into place and returns the SHA-256 of what was written")
    func finishSyncsThenRenames() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try AtomicFile(path: folder.file("x.opus"), mode: 0o640, tag: "t2")
        try file.write(Array("abc".utf8))
        // The first half: synced and closed, still under the temporary name with all its bytes.
        let digest = try file.sync()
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(!folder.exists("x.opus"))
        #expect(folder.contents(".x.opus.tmp-t2") == Array("abc".utf8))
        // The second half: the rename (and the folder's fsync).
        try file.commitRename()
        #expect(folder.contents("x.opus") == Array("abc".utf8))
        #expect(try folder.names() == ["x.opus"])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: folder.file("x.opus"))[.posixPermissions] as? Int)
        #expect(mode == 0o640)
    }

    @Test("finish replaces an older file of the same name in one step")
    func finishReplaces() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("old", to: "metrics.prom")
        try AtomicFile.write(Array("new".utf8), to: folder.file("metrics.prom"), mode: 0o644)
        #expect(folder.contents("metrics.prom") == Array("new".utf8))
        #expect(try folder.names() == ["metrics.prom"])
    }

    @Test("dropped without finish, it leaves no file behind and the destination untouched")
    func droppedLeavesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("kept", to: "report.html")
        do {
            let file = try AtomicFile(path: folder.file("report.html"))
            try file.write(Array("half a report".utf8))
            #expect(try folder.names().count == 2)
        }
        #expect(try folder.names() == ["report.html"])
        #expect(folder.contents("report.html") == Array("kept".utf8))
    }

    @Test("discard deletes the temporary file; a second writer's name is left alone")
    func discardOnlyOwnTemporary() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let mine = try AtomicFile(path: folder.file("a.opus"), tag: "job1-1-aaaa")
        let theirs = try AtomicFile(path: folder.file("a.opus"), tag: "job1-2-bbbb")
        mine.discard()
        #expect(try folder.names() == [".a.opus.tmp-job1-2-bbbb"])
        theirs.discard()
        #expect(try folder.names().isEmpty)
    }

    @Test("a folder that does not exist: the error names the call, the temporary path and the errno")
    func createFailsWithWords() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("missing/x.opus")
        let error = try #require(throws: FileSystemError.self) { try AtomicFile(path: path, tag: "t3") }
        #expect(error.syscall == "open")
        #expect(error.path == folder.file("missing/.x.opus.tmp-t3"))
        #expect(error.description == "create \(folder.file("missing/.x.opus.tmp-t3")): No such file or directory (open)")
    }
}
