import Foundation
import Testing

@Suite("Hardening: hostile spools, crashes in each phase, damaged state, full disk", .serialized)
struct HardeningTests {
    @Test("symlinks (to a file outside, to a device, to a FIFO), a FIFO, odd names: processed or quarantined, never blocking")
    func hostileSpool() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let outside = f.root.appendingPathComponent("outside.wav").path
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: f.incoming + "/link-out.wav", withDestinationPath: outside)
        try f.writeSidecar(stem: "link-out", SpoolFixture.sidecar(callID: "link-out"))
        try FileManager.default.createSymbolicLink(atPath: f.incoming + "/link-dev.wav", withDestinationPath: "/dev/zero")
        try f.writeSidecar(stem: "link-dev", SpoolFixture.sidecar(callID: "link-dev"))
        let fifo = f.root.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: f.incoming + "/link-fifo.wav", withDestinationPath: fifo)
        try f.writeSidecar(stem: "link-fifo", SpoolFixture.sidecar(callID: "link-fifo"))
        #expect(mkfifo(f.incoming + "/real-fifo.wav", 0o600) == 0)
        try f.writeSidecar(stem: "real-fifo", SpoolFixture.sidecar(callID: "real-fifo"))
        // A sidecar that is a symlink to a file outside.
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/side-link.wav")
        let outsideJSON = f.root.appendingPathComponent("outside.json").path
        try Data(#"{"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z"}"#.utf8).write(to: URL(fileURLWithPath: outsideJSON))
        try FileManager.default.createSymbolicLink(atPath: f.incoming + "/side-link.json", withDestinationPath: outsideJSON)
        // Names with a newline, control characters and spaces: archived like any other.
        for (i, stem) in ["new\nline", "tab\tand\u{1}ctl", "spaces and 'quotes'"].enumerated() {
            try f.add(stem: stem, fixture: "speech-gsm.wav", sidecar: SpoolFixture.sidecar(callID: "odd-\(i)"))
        }
        // A name that is not UTF-8.
        let raw: [UInt8] = Array((f.incoming + "/bad-").utf8) + [0xff, 0xfe] + Array(".wav".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        // A sidecar of several MB and one nested 100,000 levels deep.
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/huge.wav")
        try f.writeSidecar(stem: "huge", raw: #"{"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z", "x": ""# + String(repeating: "a", count: 5 << 20) + "\"}")
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/deep.wav")
        try f.writeSidecar(stem: "deep", raw: #"{"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z", "x": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}")

        let p = try Support.start(["run", "--once", "--log-level", "error"] + f.flags)
        var waited = 0
        while p.isRunning && waited < 600 { usleep(100_000); waited += 1 }
        if p.isRunning { p.terminate() }
        #expect(waited < 600, "the worker blocked")
        p.waitUntilExit()
        #expect(p.terminationStatus == 3)

        #expect(try f.sql("SELECT count(*) FROM calls") == [["3"]])
        for stem in ["link-out", "link-dev", "link-fifo", "real-fifo", "side-link", "huge", "deep"] {
            let error = try String(contentsOfFile: f.failed + "/" + stem + ".error.json", encoding: .utf8)
            #expect(!error.isEmpty, "\(stem)")
        }
        #expect(try String(contentsOfFile: f.failed + "/link-out.error.json", encoding: .utf8).contains("is a symlink"))
        #expect(try String(contentsOfFile: f.failed + "/real-fifo.error.json", encoding: .utf8).contains("not a regular file"))
        #expect(try String(contentsOfFile: f.failed + "/huge.error.json", encoding: .utf8).contains("limit"))
        #expect(try String(contentsOfFile: f.failed + "/deep.error.json", encoding: .utf8).contains("nested deeper"))
        #expect(FileManager.default.fileExists(atPath: f.failed + "/NONUTF8-6261642dfffe2e776176.error.json"))
        #expect(FileManager.default.fileExists(atPath: outside), "the symlink's target outside the spool was touched")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        #expect(try f.invariantViolations().isEmpty)
    }

    @Test("10,000 pairs: the scan queues them all quickly, with flat memory")
    func manyPairs() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let audio = try Data(contentsOf: URL(fileURLWithPath: Support.fixture("empty.wav")))
        for i in 0..<10_000 {
            try audio.write(to: URL(fileURLWithPath: f.incoming + "/p\(i).wav"))
            try Data(#"{"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z"}"#.utf8)
                .write(to: URL(fileURLWithPath: f.incoming + "/p\(i).json"))
        }
        let start = Date()
        let r = try Support.run("/usr/bin/time", ["-f", "%M", Support.binary, "run", "--once", "--log-level", "error"] + f.flags)
        let seconds = Date().timeIntervalSince(start)
        #expect(r.status == 3)
        #expect(r.stdout.contains("failed 10000"), "\(r.stdout)")
        let peakKB = Int(r.stderr.split(separator: "\n").last ?? "") ?? 0
        // Sanitizer runtimes inflate memory; the bound is checked in the normal suite.
        if ProcessInfo.processInfo.environment["CALLVAULT_SANITIZER"] == nil {
            #expect(peakKB > 0 && peakKB < 120_000, "peak RSS \(peakKB) kB")
        }
        #expect(seconds < 240, "10,000 empty pairs took \(seconds) s")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.failed).count == 30_000)
    }

    @Test("SIGKILL in each phase of a job (after encode, after commit, after rename), then a rerun: archived exactly once",
          arguments: ["worker.after-encode@1", "worker.after-commit@1", "worker.after-rename@1", "worker.after-commit@3"])
    func killInPhase(fault: String) throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        for i in 0..<4 { try f.add(stem: "k\(i)", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "k\(i)")) }
        let killed = try Support.callvault(["run", "--once", "--workers", "1"] + f.flags, environment: ["CALLVAULT_FAULT": fault])
        #expect(killed.status != 0 && killed.status != 3, "the fault point was not reached")
        let rerun = try f.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["4"]])
        #expect(try f.invariantViolations().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        #expect(try Support.callvault(["verify", "--db", f.database, "--archive", f.archive]).status == 0)
    }

    @Test("SIGTERM during a batch: the job in hand finishes, the rest waits, exit 0, consistent")
    func sigterm() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        for i in 0..<12 { try f.add(stem: "t\(i)", fixture: "speech-44100.wav", sidecar: SpoolFixture.sidecar(callID: "t\(i)")) }
        // The signal arrives while the first call is in hand (paused after its encode until the gate
        // opens), not after a fixed sleep that a loaded machine may spend starting the process.
        let gate = f.root.appendingPathComponent("gate").path
        let p = try Support.start(["run", "--once", "--workers", "1", "--log-level", "error"] + f.flags,
                                  environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gate)"])
        for _ in 0..<2400 where !FileManager.default.fileExists(atPath: gate + ".reached") && p.isRunning { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: gate + ".reached"), "the worker never reached its first encode")
        p.terminate()
        usleep(200_000)
        try Support.createFile(gate, nil)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let done = Int(try f.sql("SELECT count(*) FROM calls")[0][0])!
        #expect(done < 12, "the batch finished before the signal; the test proves nothing")
        #expect(try f.invariantViolations().isEmpty)
        #expect(try f.run().status == 0)
        #expect(try f.sql("SELECT count(*) FROM calls") == [["12"]])
    }

    @Test("an index locked by another process is waited for, not failed")
    func lockedDatabase() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        #expect(try f.run().status == 0)
        try f.add(stem: "b", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "b"))
        // Another process takes the write lock, says so through a marker file, and holds it for 3 s
        // of wall time (not a CPU-bound query, whose length would follow the machine's load).
        let marker = f.root.appendingPathComponent("locked").path
        let locker = try Support.start(["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE"); c.execute("SELECT count(*) FROM calls").fetchall()
            open(sys.argv[2], "w").close(); time.sleep(3); c.execute("COMMIT")
            """, f.database, marker], executable: "/usr/bin/python3")
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: marker) { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the locker never took the lock")
        let started = Date()
        let r = try f.run()
        let waited = Date().timeIntervalSince(started)
        locker.waitUntilExit()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(waited > 2, "the run finished in \(waited) s: it cannot have waited for the lock")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["2"]])
    }

    @Test("an index from a newer callvault is refused, untouched, exit 2")
    func newerSchema() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        #expect(try f.run().status == 0)
        #expect(try Support.run("sqlite3", [f.database, "INSERT INTO grdb_migrations VALUES ('v99-from-the-future')"]).status == 0)
        // Compare content (a WAL checkpoint may rewrite pages without changing anything).
        let before = try Support.run("sqlite3", [f.database, ".dump"]).stdout
        let r = try f.run()
        #expect(r.status == 2)
        #expect(r.stderr.contains("written by a newer callvault") && r.stderr.contains("v99-from-the-future"), "\(r.stderr)")
        #expect(try Support.run("sqlite3", [f.database, ".dump"]).stdout == before)
    }

    @Test("a full disk mid-batch: the run stops with a clear message, nothing half-written, nothing lost; freed, a rerun completes",
          .enabled(if: Capabilities.canMountTmpfs, "needs to mount a small tmpfs (root)"))
    func fullDisk() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let mountPoint = f.root.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // Room for the new index and its write-ahead log, and a few calls (each commit logs every
        // page its triggers touch; v15-report-dimensions' tables left no room for one in 700k).
        let mounted = try Support.run("mount", ["-t", "tmpfs", "-o", "size=1000k", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? Support.run("umount", [mountPoint]) }
        let archive = mountPoint + "/archive"
        let database = mountPoint + "/index.sqlite"
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        for i in 0..<16 { try f.add(stem: "d\(i)", fixture: "speech-16k.wav", sidecar: SpoolFixture.sidecar(callID: "d\(i)")) }
        let flags = ["--spool", f.spool, "--archive", archive, "--db", database, "--workers", "1", "--log-level", "error"]
        let full = try Support.callvault(["run", "--once"] + flags)
        #expect(full.status == 1, "\(full.stdout) \(full.stderr)")
        // The archive or the index (both on the small disk, whichever fills first) reports the full disk.
        #expect((full.stderr.contains("No space left on device") || full.stderr.contains("disk is full")) && full.stderr.contains("Nothing was lost"),
                "\(full.stderr)")
        let archivedBefore = Int(try Support.run("sqlite3", [database, "SELECT count(*) FROM calls"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(archivedBefore > 0 && archivedBefore < 16, "the disk did not fill mid-batch (\(archivedBefore))")
        let leftovers = f.files(in: archive).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
        #expect(leftovers.isEmpty, "half-written files: \(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.failed).isEmpty, "a full disk must not quarantine inputs")
        #expect(try Support.run("mount", ["-o", "remount,size=20m", mountPoint]).status == 0)
        let rerun = try Support.callvault(["run", "--once"] + flags)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Support.run("sqlite3", [database, "SELECT count(*) FROM calls"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "16")
        #expect(try Support.callvault(["verify", "--db", database, "--archive", archive]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
    }
}

@Suite("Read-only storage is reported at start", .serialized)
struct ReadOnlyStorageTests {
    @Test("a read-only archive: exit 2 at start, one clear line, nothing quarantined",
          .enabled(if: Capabilities.canMountTmpfs, "needs to mount a small tmpfs (root)"))
    func readOnlyArchive() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let mountPoint = f.root.appendingPathComponent("ro").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try Support.run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]).status == 0)
        defer { _ = try? Support.run("umount", [mountPoint]) }
        try FileManager.default.createDirectory(atPath: mountPoint + "/archive", withIntermediateDirectories: true)
        #expect(try Support.run("mount", ["-o", "remount,ro", mountPoint]).status == 0)
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let r = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", mountPoint + "/archive", "--db", f.database])
        #expect(r.status == 2)
        #expect(r.stderr.contains("archive") && r.stderr.contains("not writable"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.contains("not writable") }.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).count == 2)
    }

    @Test("a read-only index: exit 2 at start with the path",
          .enabled(if: Capabilities.canMountTmpfs, "needs to mount a small tmpfs (root)"))
    func readOnlyIndex() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let mountPoint = f.root.appendingPathComponent("rodb").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try Support.run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]).status == 0)
        defer { _ = try? Support.run("umount", [mountPoint]) }
        let database = mountPoint + "/index.sqlite"
        #expect(try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.archive, "--db", database]).status == 0)
        #expect(try Support.run("mount", ["-o", "remount,ro", mountPoint]).status == 0)
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let r = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.archive, "--db", database])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains(database), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).count == 2)
    }
}

@Suite("A poisonous input cannot stop every batch")
struct PoisonInputTests {
    @Test("an input whose worker dies every time is quarantined after 8 tries; the rest of the batch is archived")
    func poison() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a-poison", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "poison"))
        // Each run dies right after encoding the first job it claims: always the poisonous one.
        for run in 1...8 {
            let r = try Support.callvault(["run", "--once", "--workers", "1"] + f.flags, environment: ["CALLVAULT_FAULT": "worker.after-encode@1"])
            #expect(r.status != 0 && r.status != 3, "run \(run) was not killed")
        }
        try f.add(stem: "b-good", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "good"))
        let r = try Support.callvault(["run", "--once", "--workers", "1"] + f.flags, environment: ["CALLVAULT_FAULT": "worker.after-encode@2"])
        #expect(r.status == 3, "\(r.stderr)")
        let error = try String(contentsOfFile: f.failed + "/a-poison.error.json", encoding: .utf8)
        #expect(error.contains("the worker stopped 8 times while processing a-poison.wav"), "\(error)")
        #expect(try f.sql("SELECT call_id FROM calls") == [["good"]])
        #expect(try f.invariantViolations().isEmpty)
    }
}
