import Foundation
import Testing

@Suite("what an operator's mistakes and a sick machine get told", .serialized)
struct OperatorFaultTests {
    @Test("metrics: counters keep counting across runs, and a run that fails at start says so")
    func metricsAcrossRuns() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let metrics = f.root.appendingPathComponent("callvault.prom").path
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        #expect(try f.run(["--metrics-file", metrics]).status == 0)
        #expect(try PrometheusText.values(file: metrics)["callvault_calls_archived_total"] == 1)
        try f.add(stem: "b", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "b"))
        #expect(try f.run(["--metrics-file", metrics]).status == 0)
        let second = try PrometheusText.values(file: metrics)
        #expect(second["callvault_calls_archived_total"] == 2, "a counter must not reset between runs")
        #expect(second["callvault_last_run_success"] == 1)

        // The archive folder is gone: the run fails before it starts, and the file says so.
        let failed = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.root.appendingPathComponent("nowhere").path,
                                            "--db", f.database, "--metrics-file", metrics])
        #expect(failed.status == 2, "\(failed.stderr)")
        let third = try PrometheusText.values(file: metrics)
        #expect(third["callvault_last_run_success"] == 0)
        #expect(third["callvault_calls_archived_total"] == 2)
        #expect(third["callvault_last_success_timestamp_seconds"] == second["callvault_last_success_timestamp_seconds"])
    }

    @Test("a job whose config is wrong writes its failure to its metrics file")
    func jobMetricsOnBadConfig() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let config = f.root.appendingPathComponent("callvault.toml").path
        let metrics = f.root.appendingPathComponent("nightly.prom").path
        let job = f.root.appendingPathComponent("nightly.toml").path
        try "config = \"\(config)\"\nmetrics_file = \"\(metrics)\"\n\n[[steps]]\ncommand = \"verify\"\n".write(toFile: job, atomically: true, encoding: .utf8)
        try "spool = \"\(f.spool)\"\narchive = \"\(f.archive)\"\ndatabase = \"\(f.database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try Support.callvault(["job", "run", job]).status == 0)
        #expect(try PrometheusText.values(file: metrics)["callvault_last_run_success"] == 1)
        try "spool = \"\(f.spool)\"\nworkers = \"many\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["job", "run", job])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(try PrometheusText.values(file: metrics)["callvault_last_run_success"] == 0)
    }

    @Test("an index on a full disk at start: exit 1 and a disk-full message, nothing changed",
          .enabled(if: Capabilities.canMountTmpfs, "needs to mount a small tmpfs (root)"))
    func fullDiskAtStart() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let mountPoint = f.root.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // Room for a new index while it migrates (its write-ahead log holds every migration until the
        // first checkpoint; v12-web-attribution's tables made 600k too small, v15-report-dimensions'
        // 800k), then filled below.
        let mounted = try Support.run("mount", ["-t", "tmpfs", "-o", "size=1200k", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? Support.run("umount", [mountPoint]) }
        let database = mountPoint + "/index.sqlite"
        let flags = ["--spool", f.spool, "--archive", f.archive, "--db", database]
        #expect(try Support.callvault(["run", "--once"] + flags).status == 0)
        _ = try Support.run("dd", ["if=/dev/zero", "of=\(mountPoint)/filler", "bs=4k"])
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let r = try Support.callvault(["run", "--once"] + flags)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("the disk holding the index is full"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).count == 2)
    }

    @Test("an index made immutable mid-run: the failed checkpoint is reported, exit 1",
          .enabled(if: Capabilities.canMakeImmutable, "needs chattr +i (root, a filesystem with attributes)"))
    func immutableIndex() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        #expect(try f.run().status == 0)
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let gate = f.root.appendingPathComponent("gate").path
        let err = Pipe()
        let p = try Support.start(["run", "--once", "--workers", "1"] + f.flags,
                                  environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gate)"], stderr: err)
        defer { _ = try? Support.run("chattr", ["-i", f.database]) }
        try #require(Support.waitFor(gate + ".reached"))
        let immutable = try Support.run("chattr", ["+i", f.database])
        try Support.createFile(gate, nil)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(immutable.status == 0, "chattr: \(immutable.stderr)")
        #expect(p.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("cannot be checkpointed"), "\(stderr)")
    }

    @Test("export: a folder in the way and a purged call are named in words, the rest exported, nothing left behind")
    func exportProblems() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        for id in ["x", "y", "z"] { try f.add(stem: id, fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: id)) }
        #expect(try f.run().status == 0)
        let ids = try f.sql("SELECT call_id, id FROM calls ORDER BY call_id").map { $0[1] }
        let out = f.root.appendingPathComponent("qa").path
        // Find x's export name with a first export, then put a folder there.
        let first = try Support.callvault(["export", ids[0], "--to", out] + ["--db", f.database, "--archive", f.archive])
        #expect(first.status == 0)
        let name = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: name)
        try FileManager.default.createDirectory(atPath: name, withIntermediateDirectories: false)
        // y's audio is purged by retention.
        try f.sql("UPDATE calls SET audio_purged_at = '2027-01-01T00:00:00Z', retention_rule = 'unanswered' WHERE call_id = 'y'").forEach { _ in }
        try FileManager.default.removeItem(atPath: f.archive + "/" + (try f.sql("SELECT archive_path FROM calls WHERE call_id = 'y'")[0][0]))

        let r = try Support.callvault(["export"] + ids + ["--to", out, "--db", f.database, "--archive", f.archive])
        #expect(r.status == 2)
        #expect(r.stderr.contains("already exists and is not a regular file"), "\(r.stderr)")
        #expect(r.stderr.contains("purged by retention on 2027-01-01T00:00:00Z (rule \"unanswered\")"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        #expect(r.stdout.contains(ids[2]), "z is exported despite the others: \(r.stdout)")
        let left = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty, "left behind: \(left)")

        let show = try Support.jsonObject(try Support.callvault(["show", "y", "--db", f.database, "--archive", f.archive]).stdout)
        #expect(show["archive_file"] is NSNull)
        #expect(show["audio"] as? String == "purged by retention on 2027-01-01T00:00:00Z (rule \"unanswered\")")

        // A destination that cannot be a folder.
        let blocker = f.root.appendingPathComponent("plain-file").path
        try Support.createFile(blocker, Data("x".utf8))
        let bad = try Support.callvault(["export", ids[2], "--to", blocker + "/qa", "--db", f.database, "--archive", f.archive])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("cannot create the folder") && bad.stderr.contains("Not a directory"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("NSCocoaErrorDomain"), "\(bad.stderr)")
    }

    @Test("two SIGTERMs exit 143 at once (130 is SIGINT's); the next run completes the job in hand")
    func twoSigterms() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let gate = f.root.appendingPathComponent("gate").path
        let p = try Support.start(["run", "--once", "--workers", "1", "--log-level", "error"] + f.flags,
                                  environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gate)"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try #require(Support.waitFor(gate + ".reached"))
        kill(p.processIdentifier, SIGTERM)
        usleep(300_000)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 143)
        #expect(try f.run().status == 0)
        #expect(try f.invariantViolations() == [])
    }

    @Test("job run --wait says who holds the lock and gives up after --wait-timeout; a dead pid is not named")
    func jobWaitTimeout() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let config = f.root.appendingPathComponent("callvault.toml").path
        try "spool = \"\(f.spool)\"\narchive = \"\(f.archive)\"\ndatabase = \"\(f.database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let job = f.root.appendingPathComponent("nightly.toml").path
        try "config = \"\(config)\"\n\n[[steps]]\ncommand = \"ingest\"\n".write(toFile: job, atomically: true, encoding: .utf8)
        let lock = f.database + ".job-nightly.lock"
        // A pid no process has (above pid_max), left in the file by a run that died before writing its own.
        try "4194999\n".write(toFile: lock, atomically: false, encoding: .utf8)
        let holder = try Support.start([lock, "sleep", "6"], executable: "/usr/bin/flock")
        defer { if holder.isRunning { holder.terminate() } }
        usleep(300_000)
        let refused = try Support.callvault(["job", "run", job])
        #expect(refused.status == 5)
        #expect(!refused.stderr.contains("4194999"), "\(refused.stderr)")
        let start = Date()
        let waited = try Support.callvault(["job", "run", job, "--wait", "--wait-timeout", "1"])
        #expect(waited.status == 5, "\(waited.stderr)")
        // It gave up at its timeout rather than waiting out the holder's 6 s (after which it would have run, exit 0);
        // the bound is loose because a loaded machine starts a debug build slowly.
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(waited.stderr.contains("waiting for the job lock"), "\(waited.stderr)")
        #expect(waited.stderr.contains("after --wait-timeout 1 s"), "\(waited.stderr)")
        #expect(try Support.callvault(["job", "run", job, "--wait-timeout", "1"]).status == 2, "--wait-timeout needs --wait")
    }
}

@Suite("settle time: a pair is ready only when its files stopped changing")
struct SettleTimeTests {
    @Test("audio written in place after its sidecar, in chunks: --once waits for it and archives it whole")
    func audioWrittenAfterSidecar() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Support.fixture("speech.wav")))
        try f.writeSidecar(stem: "slow", SpoolFixture.sidecar(callID: "slow"))
        let audio = f.incoming + "/slow.wav"
        let chunks = 6
        let size = (whole.count + chunks - 1) / chunks
        try whole.prefix(size).write(to: URL(fileURLWithPath: audio))
        let p = try Support.start(["run", "--once", "--log-level", "error", "--spool", f.spool, "--archive", f.archive, "--db", f.database,
                                   "--settle-seconds", "1"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: audio))
        for i in 1..<chunks {
            usleep(400_000)
            try handle.seekToEnd()
            try handle.write(contentsOf: whole.dropFirst(i * size).prefix(size))
        }
        try handle.close()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let wholeSha = String(try Support.run("sha256sum", [Support.fixture("speech.wav")]).stdout.prefix(64))
        #expect(try f.sql("SELECT source_sha256, source_bytes FROM calls") == [[wholeSha, "\(whole.count)"]])
        #expect(try f.invariantViolations() == [])
    }
}
