import CallVaultTestSupport
import Foundation
import Testing

/// Issue 20's proof on one host: three "machines" (network namespaces, each with a host name of
/// its own, ``MachineNetwork``) run `callvault run` in watch mode against one PostgreSQL server
/// and one archive folder, while workers are killed (SIGKILL at random moments and at the
/// riskiest points, then restarted, as a supervisor or Kubernetes would) and one machine's link is
/// cut while it holds a job. At the end every call is archived exactly once, the archive holds
/// exactly the indexed files (no orphan, no temporary file) and `callvault verify` is clean.
///
/// Here rather than in a script: the suite's helpers (fixtures, psql, the built binary) and its
/// skip rules are Swift Testing's, and `swift test` reports it beside the other PostgreSQL tests.
/// It starts a cluster of its own (``PostgresCluster``): the suite's listens on the loopback
/// address only, which a namespace cannot reach.
@Suite("workers on three machines on PostgreSQL", .serialized,
       .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"),
       .enabled(if: Capabilities.canUseNetworkNamespaces, "`ip netns add` is not permitted here (it needs root or CAP_NET_ADMIN, and iproute2)"))
struct MultiMachineTests {
    /// The machine whose link is cut.
    static let cutMachine = 2
    /// Short enough for a quick test; the link stays cut longer than this.
    static let leaseSeconds = 5.0

    enum Layout: String { case ownSpools = "own-spools", sharedSpool = "shared-spool" }

    @Test("each machine on its own spool (the same stems in each): kills, a link cut while a job is held; every call archived once, verify clean")
    func ownSpools() throws { try run(.ownSpools) }

    @Test("three machines on one shared spool: kills, a link cut while a job is held, the others finish it and the cut machine does not commit it; every call archived once, verify clean")
    func sharedSpool() throws { try run(.sharedSpool) }

    private func run(_ layout: Layout) throws {
        let network = try MachineNetwork(machines: 3)
        defer { network.remove() }
        let cluster = try PostgresCluster(alsoListen: network.hostInterface)
        defer { cluster.stop() }
        let root = try Support.temporaryDirectory("multi-machine-\(layout.rawValue)")
        defer { try? FileManager.default.removeItem(at: root) }
        var random = SplitMix(seed: UInt64(Date().timeIntervalSince1970 * 1000))
        let seed = "seed \(random.seed)"

        let archive = root.appendingPathComponent("archive").path
        let spools = (0..<(layout == .ownSpools ? 3 : 1)).map { root.appendingPathComponent("spool-\($0)").path }
        for folder in [archive] + spools.map({ $0 + "/incoming" }) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let calls = try Self.fill(spools, layout: layout)

        let machines = try (0..<3).map { i in
            try MachineWorker(network: network, machine: i, root: root.path,
                              spool: spools[layout == .ownSpools ? i : 0], archive: archive,
                              database: cluster.url(host: network.hostAddress), passFile: cluster.passFile)
        }
        defer { for m in machines { m.stop() } }
        // The riskiest points of a call, each hit once by a SIGKILL: after the commit, before the
        // rename (the record is there, its file not), and after the rename (the inputs still there).
        let gate = root.appendingPathComponent("gate").path
        try machines[0].start(["CALLVAULT_FAULT": "worker.after-commit@2"])
        try machines[1].start(["CALLVAULT_FAULT": "worker.after-rename@2"])
        // The cut machine pauses once, its first job encoded and about to be committed.
        try machines[Self.cutMachine].start(["CALLVAULT_FAULT_WAIT": "worker.after-encode:" + gate])

        let started = Date()
        func elapsed() -> Double { Date().timeIntervalSince(started) }
        // Two more SIGKILLs at random moments of the batch, of a machine whose link is up.
        var kills = (0..<2).map { _ in (at: 0.3 + random.unit() * 3.0, machine: Int(random.next() % 2)) }.sorted { $0.at < $1.at }
        var held: (stem: String, callID: String)?
        var cutAt: Double?
        var restoredAt: Double?
        var killed: [String] = []
        func context() -> String {
            "\(seed); kills \(killed); held \(String(describing: held)); cut at \(String(describing: cutAt)) s; restored at \(String(describing: restoredAt)) s\n"
                + machines.map { "--- \($0.hostname) (\($0.starts) starts, exits \($0.exits)):\n\($0.logTail())" }.joined(separator: "\n")
        }
        func unfinished() throws -> Int {
            let files = spools.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: $1 + "/incoming"))?.count ?? 0) }
            let open = Int(try cluster.rows("SELECT count(*) FROM jobs WHERE state <> 'done'").first?.first ?? "0") ?? 0
            return files + open
        }

        // Supervise until every call is in and the cut machine has had its say, at most 90 s.
        while elapsed() < 90 {
            usleep(100_000)
            let now = elapsed()
            for m in machines where !m.isRunning { try m.start([:]) }
            if let kill = kills.first, now >= kill.at {
                kills.removeFirst()
                if machines[kill.machine].isRunning {
                    machines[kill.machine].kill()
                    killed.append("\(machines[kill.machine].hostname) at \(String(format: "%.1f", now)) s")
                }
            }
            if cutAt == nil, FileManager.default.fileExists(atPath: gate + ".reached") {
                let owner = machines[Self.cutMachine].hostname + ":%"
                let rows = try cluster.rows("SELECT stem FROM jobs WHERE state = 'running' AND lease_owner LIKE '\(owner)'")
                let stem = try #require(rows.first?.first, "the paused machine holds its job: \(context())")
                let call = try #require(calls.first { $0.stem == stem && $0.spool == (layout == .ownSpools ? Self.cutMachine : 0) })
                held = (stem, call.callID)
                try network.cut(Self.cutMachine)
                cutAt = now
            }
            guard let cut = cutAt, let job = held else { continue }
            if restoredAt == nil {
                let lapsed = now - cut > Self.leaseSeconds + 1.5
                switch layout {
                case .sharedSpool:
                    // Its lease expires; another machine takes the job over and archives the call.
                    let done = try cluster.rows("SELECT 1 FROM calls WHERE call_id = '\(job.callID)'")
                    if done.isEmpty {
                        try #require(now - cut < 45, "the held job was never taken over: \(context())")
                        continue
                    }
                case .ownSpools:
                    // Only this machine reads its spool: its job waits for it, nobody else takes it.
                    guard lapsed else { continue }
                    let rows = try cluster.rows("SELECT lease_owner FROM jobs WHERE state = 'running' AND stem = '\(job.stem)'")
                    #expect(rows.contains { $0[0].hasPrefix(machines[Self.cutMachine].hostname + ":") },
                            "the cut machine's job is still its own once its lease expired: \(rows)\n\(context())")
                }
                try network.restore(Self.cutMachine)
                try Data().write(to: URL(fileURLWithPath: gate))
                restoredAt = now
                continue
            }
            let heard = machines[Self.cutMachine].logEntries().contains {
                ($0["msg"] as? String == "job left to the worker that took it over" || $0["msg"] as? String == "archived") && $0["stem"] as? String == job.stem
            }
            if heard, try unfinished() == 0 { break }
        }
        for m in machines { m.stop() }
        let exits = machines.map(\.lastExit)
        #expect(exits.allSatisfy { $0 == 0 }, "every worker stops cleanly on SIGTERM: \(exits)\n\(context())")
        #expect(restoredAt != nil && killed.count >= 1, "the link was cut and restored, workers were killed: \(context())")

        // Every call exactly once: its row (by call_id, source name and SHA-256), its job, its file.
        let rows = try cluster.rows("SELECT call_id, source_name, source_sha256, archive_path, sha256, id FROM calls ORDER BY call_id")
        #expect(rows.map { $0[0] } == calls.map(\.callID).sorted(), "each call indexed exactly once: \(rows.map { $0[0] })\n\(context())")
        for call in calls {
            let row = rows.first { $0[0] == call.callID }
            #expect(row?[1] == call.stem + ".wav" && row?[2] == call.sha256, "\(call.callID): \(String(describing: row))")
        }
        #expect(try cluster.rows("SELECT state, count(*) FROM jobs GROUP BY state") == [["done", "\(calls.count)"]],
                "one job a pair, every one done: \(context())")
        let files = Self.files(in: archive)
        #expect(files == rows.map { $0[3] }.sorted(), "the archive holds exactly the indexed files (no orphan, no temporary file): \(files)")
        for row in rows where files.contains(row[3]) {
            #expect(try Support.run("sha256sum", [archive + "/" + row[3]]).stdout.prefix(64) == row[4], "\(row[3]) has its recorded SHA-256")
        }
        for spool in spools {
            #expect(Self.files(in: spool + "/incoming").isEmpty, "\(spool): every pair left incoming/")
            #expect(Self.files(in: spool + "/failed").isEmpty, "\(spool): nothing quarantined: \(Self.files(in: spool + "/failed"))\n\(context())")
        }

        // The held job: in the shared spool another machine archived it and the cut machine,
        // back on the network, left it; on its own spool the cut machine archived it itself.
        let job = try #require(held, "the cut machine paused holding a job: \(context())")
        let recordID = try #require(rows.first { $0[0] == job.callID }?[5])
        let archivedBy = machines.filter { m in m.logEntries().contains { $0["msg"] as? String == "archived" && $0["id"] as? String == recordID } }
        let cutLog = machines[Self.cutMachine].logEntries()
        switch layout {
        case .sharedSpool:
            #expect(archivedBy.count == 1 && archivedBy.first?.machine != Self.cutMachine,
                    "another machine archived the held call: \(archivedBy.map(\.hostname))\n\(context())")
            #expect(cutLog.contains { $0["msg"] as? String == "job left to the worker that took it over" && $0["stem"] as? String == job.stem },
                    "back on the network, the cut machine saw the job was no longer its own: \(context())")
        case .ownSpools:
            #expect(archivedBy.map(\.machine) == [Self.cutMachine], "the cut machine archived its own call: \(archivedBy.map(\.hostname))\n\(context())")
        }

        let verify = try Support.callvault(["verify", "--db", cluster.url(), "--archive", archive, "--format", "json"],
                                           environment: ["PGPASSFILE": cluster.passFile])
        #expect(verify.status == 0, "verify: \(verify.stderr)")
        let report = try Support.jsonObject(verify.stdout)
        #expect(try Support.field(report, "checked", as: Int.self) == calls.count, "\(report)")
        for problem in ["missing", "altered", "orphans", "temporary_files"] {
            #expect((report[problem] as? [Any])?.isEmpty == true, "verify: \(problem): \(String(describing: report[problem]))")
        }
    }

    /// A call put in a spool: real speech (Asterisk's prompts, a few seconds each).
    struct Call {
        var spool: Int
        var stem: String
        var callID: String
        var sha256: String
    }

    /// Eight calls in each of three spools under the same stems (two switches may number their
    /// files alike), or 24 in one shared spool.
    static func fill(_ spools: [String], layout: Layout) throws -> [Call] {
        let sounds = "/usr/share/asterisk/sounds/en_US_f_Allison/"
        let prompts = try FileManager.default.contentsOfDirectory(atPath: sounds).filter { $0.hasPrefix("vm-") && $0.hasSuffix(".wav") }.sorted()
        try #require(prompts.count >= 24, "Asterisk's prompts (asterisk-core-sounds-en-wav) in \(sounds)")
        var calls: [Call] = []
        for n in 0..<24 {
            let spool = layout == .ownSpools ? n / 8 : 0
            let stem = layout == .ownSpools ? "c\(n % 8)" : "s\(n)"
            let call = Call(spool: spool, stem: stem, callID: "\(layout.rawValue)-\(n)",
                            sha256: String(try Support.run("sha256sum", [sounds + prompts[n]]).stdout.prefix(64)))
            let incoming = spools[spool] + "/incoming/"
            try FileManager.default.copyItem(atPath: sounds + prompts[n], toPath: incoming + stem + ".wav")
            let sidecar = SpoolFixture.sidecar(at: String(format: "2026-11-28T14:%02d:00Z", n), callID: call.callID)
            try JSONSerialization.data(withJSONObject: sidecar, options: [.sortedKeys]).write(to: URL(fileURLWithPath: incoming + stem + ".json"))
            calls.append(call)
        }
        return calls
    }

    /// Files under `folder`, relative and sorted; the archive's marker is not one.
    static func files(in folder: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder) else { return [] }
        return e.compactMap { $0 as? String }.filter { name in
            var isDir: ObjCBool = false
            return name != ".callvault-archive" && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }
}

/// One machine's `callvault run` (watch mode) in its namespace, with its own host name and
/// temporary folder (where the lease lock lives), its stderr (JSON log lines) kept across restarts.
final class MachineWorker {
    let machine: Int
    let hostname: String
    private let network: MachineNetwork
    private let config: String
    private let log: String
    private let temporary: String
    private let passFile: String
    private var process: Process?
    private(set) var starts = 0
    private(set) var exits: [String] = []
    private(set) var lastExit: Int32?

    init(network: MachineNetwork, machine: Int, root: String, spool: String, archive: String, database: String, passFile: String) throws {
        self.network = network
        self.machine = machine
        self.passFile = passFile
        hostname = "machine-\(machine + 1)"
        config = root + "/\(hostname).toml"
        log = root + "/\(hostname).log"
        temporary = root + "/tmp-\(hostname)"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        try Support.createFile(log, nil)
        try """
            spool = "\(spool)"
            archive = "\(archive)"
            database = "\(database)"
            workers = \(machine == MultiMachineTests.cutMachine ? 1 : 2)

            [queue]
            lease_seconds = \(MultiMachineTests.leaseSeconds)
            poll_seconds = 0.5
            settle_seconds = 0
            """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the worker (again), with `environment` added (a fault point for this start only).
    func start(_ environment: [String: String]) throws {
        if let process, !process.isRunning { noteExit(process) }
        let command = network.command(machine, hostname: hostname, [Support.binary, "run", "--config", config, "--log-format", "json"])
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try output.seekToEnd()
        process = try Support.start(command.arguments, executable: command.executable,
                                    environment: environment.merging(["PGPASSFILE": passFile, "TMPDIR": temporary]) { $1 },
                                    stdout: FileHandle.nullDevice, stderr: output)
        starts += 1
    }

    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, as at the end of a shift; SIGKILL if it has not stopped within 20 s.
    func stop() {
        guard let process else { return }
        if process.isRunning {
            process.terminate()
            for _ in 0..<200 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill() }
            process.waitUntilExit()
        }
        noteExit(process)
        self.process = nil
    }

    private func noteExit(_ process: Process) {
        lastExit = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        exits.append(process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit \(process.terminationStatus)")
    }

    /// The JSON log lines written so far (other lines skipped).
    func logEntries() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func logTail() -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(25).joined(separator: "\n")
    }
}
