import Foundation
import Testing

/// Starts `callvault run --once --workers 1` without waiting; stderr goes to `log`.
private func startWorker(_ f: SpoolFixture, environment: [String: String], log: String) throws -> Process {
    try Support.createFile(log, nil)
    return try Support.start(["run", "--once", "--workers", "1", "--log-level", "info"] + f.flags, environment: environment,
                             stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
}

private func temporaryFiles(_ f: SpoolFixture) -> [String] {
    f.files(in: f.archive).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
}

@Suite("evidence safety: a rerun or a second holder never deletes the only copy of a call", .serialized)
struct EvidenceSafetyTests {
    @Test("killed after commit, temporary file deleted by hand, rerun: the call is encoded again, inputs go only once the file is there")
    func deletedTemporaryFile() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let killed = try Support.callvault(["run", "--once", "--workers", "1"] + f.flags, environment: ["CALLVAULT_FAULT": "worker.after-commit"])
        #expect(killed.status == SIGKILL, "killed by its fault point: \(killed.stderr)")
        let temporaries = temporaryFiles(f)
        try #require(temporaries.count == 1, "\(temporaries)")
        let recordedBefore = try f.sql("SELECT sha256, bytes FROM calls")
        // verify must not invite the deletion.
        let verify = try Support.callvault(["verify", "--db", f.database, "--archive", f.archive])
        #expect(verify.stdout.contains("missing file"), "\(verify.stdout)")
        #expect(verify.stdout.contains("do not delete it by hand"), "\(verify.stdout)")
        #expect(!verify.stdout.contains("one that died"), "\(verify.stdout)")
        // The operator deletes it anyway.
        try FileManager.default.removeItem(atPath: f.archive + "/" + temporaries[0])

        let rerun = try f.run()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("archived 1"), "\(rerun.stdout)")
        #expect(try f.invariantViolations() == [])
        let rows = try f.sql("SELECT archive_path, sha256, bytes FROM calls")
        try #require(rows.count == 1)
        let path = f.archive + "/" + rows[0][0]
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try f.sha256(path) == rows[0][1])
        #expect(Int(rows[0][2]) == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        // Same input, same options: the Opus bytes come out identical.
        #expect(rows[0][1] == recordedBefore[0][0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        #expect(try f.sql("SELECT state FROM jobs") == [["done"]])
        #expect(try Support.callvault(["verify", "--db", f.database, "--archive", f.archive]).status == 0)
    }

    @Test("killed after commit, temporary file deleted and the audio replaced: quarantined with the inputs kept, never done")
    func deletedTemporaryFileAndChangedInput() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let killed = try Support.callvault(["run", "--once", "--workers", "1"] + f.flags, environment: ["CALLVAULT_FAULT": "worker.after-commit"])
        #expect(killed.status == SIGKILL, "killed by its fault point: \(killed.stderr)")
        for t in temporaryFiles(f) { try FileManager.default.removeItem(atPath: f.archive + "/" + t) }
        try FileManager.default.removeItem(atPath: f.incoming + "/a.wav")
        try FileManager.default.copyItem(atPath: Support.fixture("speech-44100.wav"), toPath: f.incoming + "/a.wav")

        let rerun = try f.run()
        #expect(rerun.status == 3, "\(rerun.stdout) \(rerun.stderr)")
        #expect(try f.sql("SELECT state FROM jobs") == [["failed"]])
        #expect(FileManager.default.fileExists(atPath: f.failed + "/a.wav"))
        #expect(FileManager.default.fileExists(atPath: f.failed + "/a.json"))
        let error = try String(contentsOfFile: f.failed + "/a.error.json", encoding: .utf8)
        #expect(error.contains("is missing"), "\(error)")
        #expect(error.contains("no longer the audio that was archived"), "\(error)")
    }

    @Test("two workers hold one job (lease files removed mid-encode): distinct temporary files, archived once with its SHA-256")
    func twoHoldersDuringEncode() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let gateA = f.root.appendingPathComponent("gate-a").path, gateB = f.root.appendingPathComponent("gate-b").path
        let logA = f.root.appendingPathComponent("a.log").path, logB = f.root.appendingPathComponent("b.log").path
        // A encodes and stops right after its fsync, before its commit.
        let a = try startWorker(f, environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gateA)"], log: logA)
        defer { if a.isRunning { kill(a.processIdentifier, SIGKILL) } }
        try #require(Support.waitFor(gateA + ".reached"))
        // The lease lock files vanish (an operator's clean-up): A looks dead to B, which takes the job over.
        for lock in try FileManager.default.contentsOfDirectory(atPath: f.database + ".leases") {
            try FileManager.default.removeItem(atPath: f.database + ".leases/" + lock)
        }
        let b = try startWorker(f, environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gateB)"], log: logB)
        defer { if b.isRunning { kill(b.processIdentifier, SIGKILL) } }
        try #require(Support.waitFor(gateB + ".reached"))
        #expect(temporaryFiles(f).count == 2, "each holder writes its own temporary file: \(temporaryFiles(f))")
        #expect(try f.sql("SELECT claims FROM jobs") == [["2"]])
        // A goes on first: its commit must fail its lease check and touch nothing of B's.
        try Support.createFile(gateA, nil)
        var logged = false
        for _ in 0..<200 where !logged {
            usleep(50_000)
            logged = (try? String(contentsOfFile: logA, encoding: .utf8))?.contains("lease") ?? false
        }
        #expect(logged, "A never noticed it lost the job")
        try Support.createFile(gateB, nil)
        b.waitUntilExit()
        a.waitUntilExit()
        #expect(a.terminationStatus == 0)
        #expect(b.terminationStatus == 0)
        #expect(try f.invariantViolations() == [])
        #expect(try f.sql("SELECT count(*) FROM calls") == [["1"]])
        #expect(try f.sql("SELECT state FROM jobs") == [["done"]])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        #expect(try Support.callvault(["verify", "--db", f.database, "--archive", f.archive]).status == 0)
    }

    @Test("a stale holder that committed wakes after another worker finished the job: its late rename fails the lease check")
    func staleHolderAfterCommit() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let gateA = f.root.appendingPathComponent("gate-a").path
        let logA = f.root.appendingPathComponent("a.log").path
        let a = try startWorker(f, environment: ["CALLVAULT_FAULT_WAIT": "worker.after-commit:\(gateA)"], log: logA)
        defer { if a.isRunning { kill(a.processIdentifier, SIGKILL) } }
        try #require(Support.waitFor(gateA + ".reached"))
        for lock in try FileManager.default.contentsOfDirectory(atPath: f.database + ".leases") {
            try FileManager.default.removeItem(atPath: f.database + ".leases/" + lock)
        }
        let b = try f.run()
        #expect(b.status == 0, "\(b.stderr)")
        #expect(try f.invariantViolations() == [])
        #expect(try f.sql("SELECT state FROM jobs") == [["done"]])
        let path = f.archive + "/" + (try f.sql("SELECT archive_path FROM calls")[0][0])
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        try Support.createFile(gateA, nil)
        a.waitUntilExit()
        #expect(a.terminationStatus == 0)
        #expect(try f.invariantViolations() == [])
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode, "the stale holder replaced the file")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["1"]])
    }
}

private func mode(_ path: String) throws -> Int {
    (try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)).intValue
}

/// Pids whose parent is `parent`, from /proc.
private func children(of parent: pid_t) -> [pid_t] {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return pids.compactMap { pid_t($0) }.filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && pid_t(fields[1]) == parent
    }
}

/// Alive and not a zombie.
private func isRunning(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}

@Suite("what runs beside the index: file modes and job steps", .serialized)
struct IndexNeighbourTests {
    @Test("with umask 022 the index, its -wal and -shm, the leases folder and its lock files, and job locks are private")
    func modesUnderUmask022() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        let gate = f.root.appendingPathComponent("gate").path
        let p = try Support.start(["-c", "umask 022; exec \"$0\" \"$@\"", Support.binary, "run", "--once", "--log-level", "error"] + f.flags,
                                  executable: "/bin/sh", environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gate)"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try #require(Support.waitFor(gate + ".reached"))
        // Mid-run: the index is open in WAL mode and the worker holds its lease lock.
        for file in [f.database, f.database + "-wal", f.database + "-shm"] {
            let m = try mode(file)
            #expect(m == 0o600, "\(file): \(String(m, radix: 8))")
        }
        let leases = f.database + ".leases"
        #expect(try mode(leases) == 0o700)
        let locks = try FileManager.default.contentsOfDirectory(atPath: leases)
        #expect(locks.count == 1)
        for lock in locks { #expect(try mode(leases + "/" + lock) == 0o600, "\(lock)") }
        try Support.createFile(gate, nil)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)

        // A job's lock beside the index.
        let config = f.root.appendingPathComponent("callvault.toml").path
        try "spool = \"\(f.spool)\"\narchive = \"\(f.archive)\"\ndatabase = \"\(f.database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let job = f.root.appendingPathComponent("nightly.toml").path
        try "config = \"\(config)\"\n\n[[steps]]\ncommand = \"verify\"\n".write(toFile: job, atomically: true, encoding: .utf8)
        let r = try Support.run("/bin/sh", ["-c", "umask 022; exec \"$0\" \"$@\"", Support.binary, "job", "run", job])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(try mode(f.database + ".job-nightly.lock") == 0o600)
    }

    @Test("kill -9 of `job run` kills its running step too, so the next job run cannot overlap it")
    func stepDiesWithJob() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        for i in 0..<3 { try f.add(stem: "s\(i)", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "s\(i)")) }
        let config = f.root.appendingPathComponent("callvault.toml").path
        try "spool = \"\(f.spool)\"\narchive = \"\(f.archive)\"\ndatabase = \"\(f.database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let job = f.root.appendingPathComponent("ingest.toml").path
        try "config = \"\(config)\"\n\n[[steps]]\ncommand = \"ingest\"\n".write(toFile: job, atomically: true, encoding: .utf8)
        let gate = f.root.appendingPathComponent("gate").path
        // The step inherits the job's environment: it stops at the gate in the middle of a call.
        let p = try Support.start(["job", "run", job, "--log-level", "error"], environment: ["CALLVAULT_FAULT_WAIT": "worker.after-encode:\(gate)"])
        defer { #expect(FileManager.default.createFile(atPath: gate, contents: nil)) }
        try #require(Support.waitFor(gate + ".reached"))
        let steps = children(of: p.processIdentifier)
        try #require(steps.count == 1, "steps: \(steps)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        var stepAlive = true
        for _ in 0..<100 where stepAlive {
            usleep(50_000)
            stepAlive = isRunning(steps[0])
        }
        #expect(!stepAlive, "the step \(steps[0]) outlived its job")
        if stepAlive { kill(steps[0], SIGKILL) }
        // The next job run finishes the batch alone.
        let next = try Support.callvault(["job", "run", job])
        #expect(next.status == 0, "\(next.stdout) \(next.stderr)")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["3"]])
        #expect(try f.invariantViolations() == [])
    }
}
