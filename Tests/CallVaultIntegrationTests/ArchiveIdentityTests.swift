import Foundation
import Testing

@Suite("The archive knows its index: a marker at the root, the root recorded in the index", .serialized)
struct ArchiveIdentityTests {
    private func marker(_ root: String) throws -> [String: Any] {
        try Support.jsonObject(String(contentsOfFile: root + "/.callvault-archive", encoding: .utf8))
    }

    @Test("the first run writes the marker and records the root; commands given no archive use it; a wrong or empty folder is refused; a moved archive is accepted")
    func identity() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        #expect(try f.run().status == 0)
        let indexID = try #require(try f.sql("SELECT value FROM meta WHERE key = 'index_id'").first?.first, "the index has no id")
        #expect(indexID.count == 36)
        #expect(try marker(f.archive)["index_id"] as? String == indexID)
        #expect(try f.sql("SELECT value FROM meta WHERE key = 'archive_root'") == [[f.archive]])

        // No --archive: the recorded root, not ./archive of wherever the command runs.
        let plain = try Support.callvault(["verify", "--db", f.database])
        #expect(plain.status == 0, "\(plain.stdout)\(plain.stderr)")
        #expect(plain.stdout.contains("verified 1 files"))
        #expect(!plain.stdout.contains(".callvault-archive"), "the marker is not an orphan")

        // An empty folder: refused before anything is archived there or reported missing.
        let empty = f.root.appendingPathComponent("other").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try f.add(stem: "b", fixture: "missed.wav", sidecar: SpoolFixture.sidecar(callID: "b"))
        let split = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", empty, "--db", f.database])
        #expect(split.status == 2, "\(split.stdout)\(split.stderr)")
        #expect(split.stderr.contains(empty) && split.stderr.contains("not this index's archive"), "\(split.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty, "nothing written into the wrong folder")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["1"]])
        let wrongVerify = try Support.callvault(["verify", "--db", f.database, "--archive", empty])
        #expect(wrongVerify.status == 2 && wrongVerify.stderr.contains("not this index's archive"), "\(wrongVerify.stderr)")
        #expect(try f.sql("SELECT count(*) FROM audit WHERE action = 'verify_failed'") == [["0"]])
        let wrongExport = try Support.callvault(["export", "a", "--to", f.root.appendingPathComponent("out").path,
                                                 "--db", f.database, "--archive", empty])
        #expect(wrongExport.status == 2 && wrongExport.stderr.contains("not this index's archive"), "\(wrongExport.stderr)")

        // The same archive at another path (another mount point): accepted, and the run records the new root.
        let moved = f.root.appendingPathComponent("mnt-archive").path
        try FileManager.default.moveItem(atPath: f.archive, toPath: moved)
        #expect(try Support.callvault(["verify", "--db", f.database, "--archive", moved]).status == 0)
        let rerun = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", moved, "--db", f.database])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["2"]])
        #expect(try f.sql("SELECT value FROM meta WHERE key = 'archive_root'") == [[moved]])
        #expect(try Support.callvault(["verify", "--db", f.database]).status == 0)

        // Another index's archive: refused, naming both ids.
        let g = try SpoolFixture()
        defer { g.remove() }
        try g.add(stem: "c", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "c"))
        #expect(try g.run().status == 0)
        let foreign = try Support.callvault(["verify", "--db", f.database, "--archive", g.archive])
        #expect(foreign.status == 2 && foreign.stderr.contains("another index") && foreign.stderr.contains(indexID), "\(foreign.stderr)")
        let foreignRun = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", g.archive, "--db", f.database])
        #expect(foreignRun.status == 2)
    }

    @Test("an index made before markers adopts the root that holds its files, and still refuses an empty folder")
    func legacyIndexAdoptsItsArchive() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        #expect(try f.run().status == 0)
        // What an index from before this version looks like: no marker, no recorded root.
        try FileManager.default.removeItem(atPath: f.archive + "/.callvault-archive")
        _ = try f.sql("DELETE FROM meta WHERE key = 'archive_root'")
        let empty = f.root.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", empty, "--db", f.database]).status == 2)
        #expect(try Support.callvault(["run", "--once"] + f.flags).status == 0)
        let indexID = try #require(try f.sql("SELECT value FROM meta WHERE key = 'index_id'").first?.first, "the index has no id")
        #expect(try marker(f.archive)["index_id"] as? String == indexID)
        #expect(try f.sql("SELECT value FROM meta WHERE key = 'archive_root'") == [[f.archive]])
    }
}
