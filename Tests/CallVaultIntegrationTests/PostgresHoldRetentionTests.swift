import CallVaultTestSupport
import Foundation
import Testing

/// `hold` and `retention apply` on a PostgreSQL index (issue 20): one real-speech spool run into
/// both backends, then the same commands on each, their output compared byte for byte, and the
/// legal-hold guarantee checked on PostgreSQL's own rows and files.
@Suite("hold and retention on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresHoldRetentionTests {
    /// One backend: its fixture and its config file (the same policy; only `database` differs).
    struct Backend {
        let f: SpoolFixture
        let config: String

        init(_ f: SpoolFixture, database: String) throws {
            self.f = f
            config = f.root.appendingPathComponent("callvault.toml").path
            try """
            spool = "spool"
            archive = "archive"
            database = "\(database)"

            \(ConfigText.threeRetentionRules)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func cli(_ args: [String]) throws -> Support.Result { try Support.callvault(args + ["--config", config]) }
    }

    /// What legitimately differs between the backends, masked: each archive root, and the time a
    /// hold was placed or removed (the real clock of each command, today).
    static func masked(_ text: String, _ f: SpoolFixture) throws -> String {
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        return try text.replacingOccurrences(of: f.archive, with: "ARCHIVE")
            .replacing(Regex(today + #"T\d\d:\d\d:\d\dZ"#), with: "TODAY")
    }

    @Test("the same spool on SQLite and on PostgreSQL: hold add, list and remove and retention apply (dry run, run, rerun) print and audit the same; the held call survives with its file, the others lose theirs, verify is clean, and export --to copies the held call alike")
    func sameHoldsAndRetentionOnBothBackends() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let sqliteFixture = try SpoolFixture(name: "hold-retention-sqlite")
        defer { sqliteFixture.remove() }
        let postgresFixture = try SpoolFixture(name: "hold-retention-postgres")
        defer { postgresFixture.remove() }
        let backends = [try Backend(sqliteFixture, database: "index.sqlite"), try Backend(postgresFixture, database: db.url)]
        for b in backends {
            for (n, call) in PostgresRunTests.calls.enumerated() {
                try b.f.add(stem: call.stem, fixture: call.fixture,
                            sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-2\(n)T14:00:00Z", callID: call.stem,
                                                          extra: ["caller": "+1 212 555 01\(10 + n)"]))
            }
            let run = try b.cli(["run", "--once", "--settle-seconds", "0"])
            try #require(run.status == 0, "\(run.stderr)")
        }

        /// Runs `command` on both backends; expects `status` and the same stdout and stderr (masked) on both.
        @discardableResult
        func same(_ command: [String], status: Int32 = 0) throws -> String {
            let results = try backends.map { b in
                let r = try b.cli(command)
                return (r.status, try Self.masked(r.stdout, b.f), try Self.masked(r.stderr, b.f))
            }
            #expect(results.map(\.0) == [status, status], "\(command): \(results.map(\.2))")
            #expect(results[0].1 == results[1].1, "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)")
            #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)")
            return results[1].1
        }

        // Holds: by id, by number and time, one naming nothing known yet (warned, placed), a duplicate (refused).
        #expect(try same(["hold", "add", "CASE-1", "--reason", "dispute", "--by", "counsel", "--id", "p4"]).contains("covers 1 calls"))
        #expect(try same(["hold", "add", "CASE-2", "--reason", "audit", "--by", "counsel", "--tracking-number", "+1 415 555 0199",
                          "--since", "2026-11-20"]).contains("covers 2 calls"))
        try same(["hold", "add", "CASE-3", "--reason", "later", "--by", "counsel", "--id", "nosuch", "--campaign", "Nope"])
        try same(["hold", "add", "CASE-1", "--reason", "again", "--by", "counsel", "--id", "p0"], status: 2)
        for format in ["table", "json", "csv"] { try same(["hold", "list", "--format", format]) }
        #expect(try same(["hold", "remove", "CASE-2", "--reason", "closed", "--by", "counsel"]).contains("1 calls are subject"),
                "p4 stays under CASE-1; p1 is released")
        try same(["hold", "remove", "CASE-2", "--reason", "closed", "--by", "counsel"], status: 2)
        for format in ["table", "json", "csv"] { try same(["hold", "list", "--all", "--format", format]) }
        let holds = try db.rows("SELECT name, removed_by FROM holds ORDER BY id")
        #expect(holds == [["CASE-1", ""], ["CASE-2", "counsel"], ["CASE-3", ""]], "\(holds)")

        // Retention at 2028-01-01: every call's audio is due (365 days), p3's record too (missed:
        // 90 days); p4 is held. The dry run lists the same on both, then the run does the same.
        let p4 = try #require(try db.rows("SELECT id, archive_path FROM calls WHERE call_id = 'p4'").first)
        for format in ["table", "json", "csv"] { try same(["retention", "apply", "--dry-run", "--now", "2028-01-01", "--format", format]) }
        let plan = try Support.jsonObject(try same(["retention", "apply", "--dry-run", "--now", "2028-01-01", "--format", "json"]))
        #expect(try Support.field(plan, "calls", as: Int.self) == 5 && Support.field(plan, "held_skipped", as: Int.self) == 1, "\(plan)")
        let summary = try Support.jsonObject(try same(["retention", "apply", "--now", "2028-01-01", "--format", "json"]))
        #expect(try Support.field(summary, "audio_deleted", as: Int.self) == 5, "\(summary)")
        #expect(try Support.field(summary, "records_deleted", as: Int.self) == 1, "\(summary)")
        #expect(try Support.field(summary, "held_skipped", as: Int.self) == 1, "\(summary)")
        try same(["retention", "apply", "--now", "2028-01-01"])

        // On PostgreSQL's own rows and files: the held call whole, the others purged, p3's record gone.
        #expect(try db.rows("SELECT call_id, audio_purged_at IS NULL FROM calls ORDER BY call_id")
                == [["p0", "f"], ["p1", "f"], ["p2", "f"], ["p4", "t"], ["p5", "f"]])
        #expect(postgresFixture.files(in: postgresFixture.archive) == [p4[1]], "only the held call's file is left")
        #expect(try postgresFixture.sha256(postgresFixture.archive + "/" + p4[1])
                == (try db.rows("SELECT sha256 FROM calls WHERE id = '\(p4[0])'")[0][0]))
        #expect(try db.rows("SELECT action, count(*) FROM audit WHERE action <> 'redaction' GROUP BY action ORDER BY action")
                == [["audio_deleted", "5"], ["hold_added", "3"], ["hold_removed", "1"], ["policy_set", "1"], ["record_deleted", "1"]])

        // The audit log: the same entries on both (`at`, and so each hash, is each command's moment).
        let audits = try backends.map { b in
            let r = try b.cli(["audit", "list", "--format", "json"])
            try Support.require(r.status == 0, r.stderr)
            return try Support.jsonArray(r.stdout).map { entry in
                let kept = entry.filter { !["at", "hash", "prev_hash"].contains($0.key) }
                return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(audits[0].count >= 11 && audits[0] == audits[1], "\(audits)")
        try same(["verify", "--format", "json"])
        try same(["show", "p4"])

        // export --to: the held call copied under the same name on both, as recorded; the purged one refused alike (exit 2).
        let exports = try backends.map { b in
            let r = try b.cli(["export", "p4", "p0", "--to", b.f.root.appendingPathComponent("qa").path])
            return (r.status, r.stdout.replacingOccurrences(of: b.f.root.path, with: "ROOT"), r.stderr)
        }
        #expect(exports.map(\.0) == [2, 2] && exports[0].1 == exports[1].1 && exports[0].2 == exports[1].2, "\(exports)")
        #expect(exports[1].2.contains("audio purged by retention"), "\(exports[1].2)")
        let copy = exports[1].1.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "ROOT", with: postgresFixture.root.path)
        #expect(copy.hasSuffix("\(p4[0]).opus"), "\(copy)")
        let recorded = try db.rows("SELECT sha256 FROM calls WHERE id = '\(p4[0])'")[0][0]
        #expect(try postgresFixture.sha256(copy) == recorded, "the copy is the call as recorded")
        try same(["query", "--format", "json", "--limit", "0"])
    }
}
