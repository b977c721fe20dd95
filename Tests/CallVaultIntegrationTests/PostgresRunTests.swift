import CallVaultTestSupport
import Foundation
import Testing

/// `callvault run` on a PostgreSQL index (issue 20): the queue, the ingest transaction and the
/// archive's identity there, checked with psql and the archive's files with opusinfo and sha256sum.
@Suite("run on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresRunTests {
    /// Six pairs of real speech in several formats, one missed call, one with a requested span.
    static let calls: [(stem: String, fixture: String, number: String)] = [
        ("p0", "speech.wav", "+14155550100"), ("p1", "speech.gsm", "+14155550199"), ("p2", "speech-ulaw.wav", "+14155550100"),
        ("p3", "missed.wav", "+14155550100"), ("p4", "speech.flac", "+14155550199"), ("p5", "speech-16k.wav", "+14155550100"),
    ]

    @Test("two `run --once` on one spool and one PostgreSQL index: every call archived exactly once, attributed by the registry, retention stamped, the redaction audited")
    func twoWorkersExactlyOnce() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let f = try SpoolFixture()
        defer { f.remove() }
        let config = f.root.appendingPathComponent("callvault.toml").path
        try """
        spool = "spool"
        archive = "archive"
        database = "\(db.url)"

        \(ConfigText.threeRetentionRules)
        """.write(toFile: config, atomically: true, encoding: .utf8)

        // The first run on an empty spool migrates the index and claims the archive root.
        let first = try Support.callvault(["run", "--once", "--config", config, "--settle-seconds", "0"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try db.rows("SELECT value FROM meta WHERE key = 'archive_root'") == [[f.archive]])
        let marker = try Support.jsonObject(try String(contentsOfFile: f.archive + "/.callvault-archive", encoding: .utf8))
        #expect(try db.rows("SELECT value FROM meta WHERE key = 'index_id'") == [[try Support.field(marker, "index_id", as: String.self)]])

        _ = try db.rows("""
            INSERT INTO registry (tracking_number, campaign, source, medium, valid_from, imported_at, metadata)
            VALUES ('+14155550100', 'Spring', 'google', 'cpc', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '{}')
            """)
        for (n, call) in Self.calls.enumerated() {
            var extra: [String: Any] = ["caller": "+1 212 555 01\(10 + n)"]
            if call.stem == "p2" { extra["redact"] = [["start_ms": 1000, "end_ms": 2000]] }
            try f.add(stem: call.stem, fixture: call.fixture,
                      sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-28T14:0\(n):00Z", callID: call.stem, extra: extra))
        }

        // Two workers at once, two slots each: the queue's SKIP LOCKED claims share the jobs out.
        let logs = (0..<2).map { f.root.appendingPathComponent("run\($0).json").path }
        let runs = try logs.map { log in
            for file in [log, log + ".stderr"] { _ = FileManager.default.createFile(atPath: file, contents: nil) }
            return try Support.start(["run", "--once", "--config", config, "--settle-seconds", "0", "--workers", "2", "--format", "json"],
                                     stdout: try FileHandle(forWritingTo: URL(fileURLWithPath: log)),
                                     stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: log + ".stderr")))
        }
        for run in runs { run.waitUntilExit() }
        let stderr = logs.map { (try? String(contentsOfFile: $0 + ".stderr", encoding: .utf8)) ?? "" }
        #expect(runs.map(\.terminationStatus) == [0, 0], "\(stderr)")
        let summaries = try logs.map { try Support.jsonObject(try String(contentsOfFile: $0, encoding: .utf8)) }
        let archived = try summaries.map { try Support.field($0, "archived", as: Int.self) }
        #expect(archived.reduce(0, +) == Self.calls.count, "each pair archived by exactly one worker: \(summaries)")

        let rows = try db.rows("SELECT call_id, archive_path, sha256, campaign, attribution, retention_rule, outcome FROM calls ORDER BY call_id")
        #expect(rows.map { $0[0] } == Self.calls.map(\.stem))
        #expect(try db.rows("SELECT state, count(*) FROM jobs GROUP BY state") == [["done", "\(Self.calls.count)"]])
        for (row, call) in zip(rows, Self.calls) {
            let path = f.archive + "/" + row[1]
            #expect(try f.sha256(path) == row[2], "\(call.stem): the file has its recorded SHA-256")
            let length = try Support.opusinfoLength(path)
            #expect(length.seconds > 0.5, "\(call.stem): a valid Ogg Opus stream: \(length.output)")
            let registered = call.number == "+14155550100"
            #expect(row[3] == (registered ? "Spring" : ""), "\(call.stem): campaign \(row[3])")
            #expect(row[4].contains(registered ? "\"method\":\"number\"" : "\"method\":\"none\""), "\(call.stem): \(row[4])")
            #expect(row[5] == (row[6] == "missed" || row[6] == "abandoned" ? "unanswered" : "default"), "\(call.stem): \(row[5]) \(row[6])")
        }
        #expect(rows.contains { $0[0] == "p3" && $0[5] == "unanswered" }, "the missed call is kept under its own rule")
        let files = f.files(in: f.archive)
        #expect(files.count == Self.calls.count && files.allSatisfy { $0.hasSuffix(".opus") }, "no temporary file left: \(files)")
        #expect(f.files(in: f.incoming).isEmpty)

        let audit = try db.rows("SELECT seq, action, ids FROM audit ORDER BY seq")
        let p2 = try #require(rows.first { $0[0] == "p2" })
        let id = (p2[1] as NSString).lastPathComponent.replacingOccurrences(of: ".opus", with: "")
        // One `redaction` entry per call that had something kept out: p2's requested span, and
        // any call whose audio the DTMF detector masked.
        let redacted = try db.rows("SELECT id FROM calls WHERE redactions <> '[]' OR redacted_fields <> '[]' ORDER BY id").map { $0[0] }
        #expect(redacted.contains(id), "\(redacted)")
        #expect(audit.allSatisfy { $0[1] == "redaction" } && audit.map { $0[2] }.sorted() == redacted.map { "[\"\($0)\"]" }, "\(audit)")

        // Once more: nothing is left to do, nothing is archived twice.
        let again = try Support.callvault(["run", "--once", "--config", config, "--settle-seconds", "0"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try db.rows("SELECT count(*) FROM calls") == [["\(Self.calls.count)"]])
    }

    @Test("a second index's archive is refused on PostgreSQL as on SQLite (the marker names the index)")
    func foreignArchiveRefused() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "a"))
        try Data(#"{"index_id": "another-index", "created_at": "2026-01-01T00:00:00Z", "note": "x"}"#.utf8)
            .write(to: URL(fileURLWithPath: f.archive + "/.callvault-archive"))
        let r = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.archive, "--db", db.url, "--settle-seconds", "0"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("is the archive of another index"), "\(r.stderr)")
        #expect(try db.rows("SELECT count(*) FROM calls") == [["0"]])
        #expect(FileManager.default.fileExists(atPath: f.incoming + "/a.json"), "the pair stays in incoming/")
    }

    @Test("the same spool on SQLite and on PostgreSQL: show, query (json, csv, table, each filter) and audit list print the same, but for ingested_at, the archive root and the audit entries' time and hashes")
    func sameOutputOnBothBackends() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let sqlite = try SpoolFixture(name: "same-output-sqlite")
        defer { sqlite.remove() }
        let postgres = try SpoolFixture(name: "same-output-postgres")
        defer { postgres.remove() }
        let backends = [(sqlite, sqlite.storeFlags), (postgres, ["--spool", postgres.spool, "--archive", postgres.archive, "--db", db.url])]
        for (f, flags) in backends {
            for (n, call) in Self.calls.enumerated() {
                var extra: [String: Any] = ["caller": "+1 212 555 01\(10 + n)", "metadata": ["queue": n % 2 == 0 ? "sales" : "support"]]
                if call.stem == "p2" { extra["redact"] = [["start_ms": 1000, "end_ms": 2000]] }
                try f.add(stem: call.stem, fixture: call.fixture,
                          sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-2\(n)T14:00:00Z", callID: call.stem, extra: extra))
            }
            let run = try Support.callvault(["run", "--once", "--settle-seconds", "0"] + flags)
            #expect(run.status == 0, "\(run.stderr)")
        }
        /// The output with what legitimately differs masked: each archive root, and `ingested_at`
        /// (the moment each backend's worker wrote the call).
        func masked(_ text: String, _ f: SpoolFixture) throws -> String {
            let rooted = text.replacingOccurrences(of: f.archive, with: "ARCHIVE")
            return try rooted.replacing(Regex(#""ingested_at" ?: ?"[^"]*""#), with: #""ingested_at":"MASKED""#)
        }
        let queries: [[String]] = [
            ["query", "--format", "json", "--limit", "0"], ["query", "--format", "csv"], ["query"],
            ["query", "--tracking-number", "+14155550100", "--format", "json"], ["query", "--outcome", "missed", "--format", "json"],
            ["query", "--since", "2026-11-21", "--until", "2026-11-24", "--format", "json"], ["query", "--caller", "+12125550112", "--format", "csv"],
            ["query", "--campaign", "none-such", "--format", "json"], ["query", "--unassigned", "--sort", "duration", "--limit", "2"],
            ["query", "--redacted", "--format", "json"], ["show", "p2"], ["show", "p3"],
        ]
        for command in queries {
            let outputs = try backends.map { f, flags in
                let r = try Support.callvault(command + flags)
                try Support.require(r.status == 0, "\(command): \(r.stderr)")
                return try masked(r.stdout, f)
            }
            #expect(!outputs[0].isEmpty && outputs[0] == outputs[1], "\(command):\n--- SQLite\n\(outputs[0])\n--- PostgreSQL\n\(outputs[1])")
        }
        // The filters pick real calls (the comparison is not of two empty lists).
        let missed = try Support.jsonArray(try Support.callvault(["query", "--outcome", "missed", "--format", "json", "--db", db.url]).stdout)
        #expect(missed.compactMap { $0["call_id"] as? String } == ["p3"])
        let since = try Support.jsonArray(try Support.callvault(["query", "--since", "2026-11-21", "--until", "2026-11-24", "--format", "json", "--db", db.url]).stdout)
        #expect(since.compactMap { $0["call_id"] as? String } == ["p4", "p3", "p2", "p1"], "newest first; --until a date includes that day")

        // The audit log: the same entries; `at`, and so each hash, is the moment of each run.
        let audits = try backends.map { _, flags in
            let r = try Support.callvault(["audit", "list", "--format", "json"] + flags)
            try Support.require(r.status == 0, r.stderr)
            return try Support.jsonArray(r.stdout).map { entry in
                let kept = entry.filter { !["at", "hash", "prev_hash"].contains($0.key) }
                return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(!audits[0].isEmpty && audits[0] == audits[1], "\(audits)")

        // verify: the same report on both; then a file altered in the PostgreSQL archive is found,
        // exit 4, and the failure is on PostgreSQL's audit chain, which still checks out.
        let verified = try backends.map { _, flags in
            let r = try Support.callvault(["verify", "--format", "json"] + flags)
            try Support.require(r.status == 0, "verify: \(r.status) \(r.stderr)")
            return r.stdout
        }
        #expect(verified[0] == verified[1], "\(verified)")
        #expect(try Support.field(try Support.jsonObject(verified[1]), "checked", as: Int.self) == Self.calls.count)
        let p4 = try Support.jsonObject(try Support.callvault(["show", "p4", "--db", db.url, "--archive", postgres.archive]).stdout)
        let file = try Support.field(p4, "archive_file", as: String.self)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seek(toOffset: 200)
        try handle.write(contentsOf: Data([0x55, 0xAA]))
        try handle.close()
        let tampered = try Support.callvault(["verify", "--format", "json"] + backends[1].1)
        #expect(tampered.status == 4, "\(tampered.stderr)")
        let report = try Support.jsonObject(tampered.stdout)
        #expect(try Support.field(report, "altered", as: [String].self) == [try Support.field(p4, "id", as: String.self)], "\(report)")
        #expect(try db.rows("SELECT action FROM audit ORDER BY seq DESC LIMIT 1") == [["verify_failed"]])
        let again = try Support.jsonObject(try Support.callvault(["verify", "--format", "json"] + backends[1].1).stdout)
        #expect(again["audit_broken_at"] is NSNull, "the chain with verify's own entry still checks out: \(again)")
    }

    @Test("db migrate moves calls, registry, holds, users and the audit chain; killed after a batch and run again, it finishes; the moved index reads the same and takes new calls")
    func migrateResumable() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let f = try SpoolFixture(name: "migrate")
        defer { f.remove() }
        for (n, call) in Self.calls.enumerated() {
            var extra: [String: Any] = ["caller": "+1 212 555 01\(10 + n)"]
            if call.stem == "p2" { extra["redact"] = [["start_ms": 1000, "end_ms": 2000]] }
            try f.add(stem: call.stem, fixture: call.fixture, sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-2\(n)T14:00:00Z", callID: call.stem, extra: extra))
        }
        let run = try f.run()
        try #require(run.status == 0, "\(run.stderr)")
        let csv = f.root.appendingPathComponent("registry.csv").path
        try """
            tracking_number,campaign,source,medium,valid_from,valid_to
            +14155550100,Search-Brand,google,cpc,2026-01-01,2026-11-22
            +14155550100,Radio,kfog,radio,2026-11-22,
            +14155550199,Mailer,usps,print,,
            +14155550111,Unused,none,none,,

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        try #require(try Support.callvault(["numbers", "import", csv] + f.storeFlags).status == 0)
        let hold = try Support.callvault(["hold", "add", "CASE-1", "--reason", "dispute", "--by", "counsel", "--id", "p4"] + f.storeFlags)
        try #require(hold.status == 0, "\(hold.stderr)")
        try addUser(f, "qa1", role: "qa", password: "correct horse battery staple")
        let directory = f.root.appendingPathComponent("directory.csv").path, sessions = f.root.appendingPathComponent("sessions.csv").path
        try "number,name,city\n+1 212 555 0110,Dana Whitfield,New York\n".write(toFile: directory, atomically: true, encoding: .utf8)
        try "session_id,pool_number,first_seen,last_seen,utm_campaign\ns1,+14155550199,2026-11-20T13:00:00Z,2026-11-20T13:30:00Z,Spring\n"
            .write(toFile: sessions, atomically: true, encoding: .utf8)
        try #require(try Support.callvault(["directory", "import", directory] + f.storeFlags).status == 0)
        try #require(try Support.callvault(["web", "import-sessions", sessions] + f.storeFlags).status == 0)

        // Two rows a batch, killed after the seventh: the registry (two batches), holds, users, the
        // directory and the sessions are there (no call-back requests: no batch), the calls' first
        // batch too, nothing after.
        let migrate = ["db", "migrate", "--from", f.database, "--to", db.url, "--batch", "2"]
        let killed = try Support.callvault(migrate, environment: ["CALLVAULT_FAULT": "db-migrate.after-batch@7"])
        #expect(killed.status != 0, "killed: \(killed.stderr)")
        #expect(try db.rows("SELECT count(*) FROM calls") == [["2"]])
        #expect(try db.rows("SELECT count(*) FROM audit") == [["0"]])

        let done = try Support.callvault(migrate + ["--format", "json"])
        try #require(done.status == 0, "\(done.stderr)")
        let report = try Support.jsonObject(done.stdout)
        let tables = try Support.field(report, "tables", as: [String: Int].self)
        let copied = try Support.field(report, "copied", as: [String: Int].self)
        for table in ["registry", "holds", "users", "caller_directory", "web_sessions", "callback_requests", "calls", "audit"] {
            #expect(tables[table] == Int(try f.sql("SELECT count(*) FROM \(table)")[0][0]), "\(table): \(report)")
        }
        #expect(copied["calls"] == Self.calls.count - 2 && copied["registry"] == 0, "the second run copied only what was missing: \(copied)")
        #expect(try Support.field(report, "audit_head", as: String.self) == (try f.sql("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")[0][0]))
        #expect(try db.rows("SELECT value FROM meta WHERE key = 'index_id'") == (try f.sql("SELECT value FROM meta WHERE key = 'index_id'")))
        #expect(try db.rows("SELECT name, role, password_hash FROM users") == (try f.sql("SELECT name, role, password_hash FROM users")))
        let again = try Support.callvault(migrate + ["--format", "json"])
        let copiedAgain = try Support.field(try Support.jsonObject(again.stdout), "copied", as: [String: Int].self)
        #expect(again.status == 0 && copiedAgain.values.allSatisfy { $0 == 0 }, "nothing left to copy: \(copiedAgain)")

        // The moved index reads exactly as the SQLite one: the same records, times, holds and audit chain.
        let postgresFlags = ["--spool", f.spool, "--archive", f.archive, "--db", db.url]
        for command in [["query", "--format", "json", "--limit", "0"], ["query", "--campaign", "Radio", "--format", "csv"], ["show", "p4"],
                        ["audit", "list", "--format", "json"], ["audit", "list", "--format", "csv"],
                        ["directory", "list", "--format", "csv"], ["numbers", "relink"]] {
            let sqlite = try Support.callvault(command + f.storeFlags), postgres = try Support.callvault(command + postgresFlags)
            #expect(sqlite.status == 0 && postgres.status == 0, "\(command): \(sqlite.stderr) \(postgres.stderr)")
            #expect(!sqlite.stdout.isEmpty && sqlite.stdout == postgres.stdout, "\(command):\n\(sqlite.stdout)\n---\n\(postgres.stdout)")
        }
        let p4 = try Support.jsonObject(try Support.callvault(["show", "p4"] + postgresFlags).stdout)
        #expect(p4["holds"] as? [String] == ["CASE-1"] && p4["campaign"] as? String == "Mailer", "\(p4)")

        // The archive's marker names the moved index: a run on PostgreSQL takes new calls into it.
        try f.add(stem: "p9", fixture: "speech.wav", sidecar: SpoolFixture.sidecar("+14155550100", at: "2026-11-29T14:00:00Z", callID: "p9"))
        let next = try Support.callvault(["run", "--once", "--settle-seconds", "0"] + postgresFlags)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try db.rows("SELECT campaign, attribution::jsonb->>'method' FROM calls WHERE call_id = 'p9'") == [["Radio", "number"]])
    }
}
