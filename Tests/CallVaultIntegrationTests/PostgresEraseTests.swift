import CallVaultTestSupport
import Foundation
import Testing

/// `callvault erase` on a PostgreSQL index (issue 20): the same decisions, receipts, deletions
/// and audit entries as on SQLite, honouring legal holds and mandatory minimums alike.
@Suite("erase on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresEraseTests {
    /// The salted hash of the caller: each index makes its own salt, so it differs by design.
    static func maskedHash(_ text: String) throws -> String {
        try text.replacing(Regex(#""caller_hash" ?: ?"[0-9a-f]{64}""#), with: #""caller_hash":"HASH""#)
    }

    @Test("erase by caller and by id, dry run and real, prints the same receipts on SQLite and PostgreSQL: a held call and one inside its mandatory minimum are kept, the others lose file and record, the caller's directory entry goes once none of their calls is kept, and the audit entries are the same")
    func sameErasureOnBothBackends() throws {
        let p = try PostgresParity()
        defer { p.remove() }
        // Missed calls must be kept ten years (min_keep_days): p3 is one.
        for b in p.backends {
            let text = try String(contentsOfFile: b.config, encoding: .utf8)
                .replacingOccurrences(of: "keep_audio_days = 30\nkeep_record_days = 90", with: "keep_audio_days = 3650\nkeep_record_days = 3650\nmin_keep_days = 3650")
            try Support.require(text.contains("min_keep_days"), "the unanswered rule is in the config")
            try text.write(toFile: b.config, atomically: true, encoding: .utf8)
        }
        let csv = p.sqlite.root.appendingPathComponent("directory.csv").path
        try "number,name\n(212) 555-0110,Dana Whitfield\n(212) 555-0111,Luis Ortega\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try p.same(["directory", "import", csv])
        try p.same(["hold", "add", "CASE-9", "--reason", "dispute", "--by", "counsel", "--id", "p1"])
        func same(_ command: [String], status: Int32 = 0) throws -> String {
            let results = try p.backends.map { b in
                let r = try PostgresParity.cli(b, command)
                return (r.status, try Self.maskedHash(PostgresHoldRetentionTests.masked(r.stdout, b.f)), try PostgresHoldRetentionTests.masked(r.stderr, b.f))
            }
            #expect(results.map(\.0) == [status, status], "\(command): \(results.map(\.2))")
            #expect(results[0].1 == results[1].1, "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)")
            #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)")
            return results[1].1
        }
        let request = ["--reason", "GDPR request 114", "--by", "dpo"]
        for format in ["table", "json"] {
            try same(["erase", "--caller", "(212) 555-0111", "--dry-run", "--format", format] + request)
            try same(["erase", "--id", "p3", "--id", "p2", "--dry-run", "--format", format] + request)
        }
        let byCaller = try Support.jsonObject(try same(["erase", "--caller", "(212) 555-0110", "--format", "json"] + request))
        #expect(try Support.field(byCaller, "erased", as: Int.self) == 1 && Support.field(byCaller, "directory_entry", as: String.self) == "deleted",
                "\(byCaller)")
        let byID = try same(["erase", "--id", "p3", "--id", "p2", "--id", "nosuch"] + request)
        #expect(byID.contains("erased 1 calls") && byID.contains("kept 1"), "\(byID)")
        let held = try Support.jsonObject(try same(["erase", "--caller", "(212) 555-0111", "--format", "json"] + request))
        #expect(try Support.field(held, "kept", as: Int.self) == 1 && Support.field(held, "directory_entry", as: String.self).hasPrefix("kept"), "\(held)")
        try same(["erase", "--id", "p2"] + request)

        // On PostgreSQL's own rows and files: p0 and p2 gone with their files, the others whole.
        #expect(try p.db.rows("SELECT call_id FROM calls ORDER BY call_id") == [["p1"], ["p3"], ["p4"], ["p5"]])
        let kept = try p.db.rows("SELECT archive_path FROM calls ORDER BY archive_path").map { $0[0] }
        #expect(p.postgres.files(in: p.postgres.archive) == kept, "only the kept calls' files are left")
        #expect(try p.db.rows("SELECT number FROM caller_directory") == [["+12125550111"]])
        #expect(try p.db.rows("SELECT action, count(*) FROM audit WHERE action IN ('audio_erased', 'record_erased', 'erasure') GROUP BY action ORDER BY action")
                == [["audio_erased", "2"], ["erasure", "4"], ["record_erased", "2"]])
        let hashes = try p.db.rows("SELECT DISTINCT details::jsonb ->> 'caller_hash' FROM audit WHERE action = 'erasure' AND details::jsonb ? 'caller_hash'")
        #expect(hashes.count == 2 && hashes.allSatisfy { $0[0].count == 64 && $0[0].allSatisfy(\.isHexDigit) }, "the numbers appear only hashed: \(hashes)")
        #expect(try p.db.rows("SELECT count(*) FROM audit WHERE details LIKE '%2125550110%' OR reason LIKE '%2125550110%'") == [["0"]])

        try same(["query", "--format", "json", "--limit", "0"])
        try same(["directory", "list", "--format", "csv"])
        try same(["verify", "--format", "json"])
        let audits = try p.auditEntries().map { try $0.map(Self.maskedHash) }
        #expect(audits[0] == audits[1], "\(audits)")

        // A recorded retention policy: refused without one, on both.
        try same(["retention", "apply", "--now", "2026-12-01"])
        let refusals = try p.backends.enumerated().map { n, b in
            try Support.callvault(["erase", "--id", "p4", "--db", n == 0 ? b.f.root.path + "/index.sqlite" : p.db.url] + request)
        }
        #expect(refusals.map(\.status) == [2, 2] && refusals[0].stderr == refusals[1].stderr, "\(refusals)")
        #expect(refusals[1].stderr.contains("no config with [[retention.rules]] was given"), "\(refusals[1].stderr)")
        #expect(try p.db.rows("SELECT count(*) FROM calls WHERE call_id = 'p4'") == [["1"]])
    }

    @Test("two erasures of the same calls at once, on PostgreSQL and on SQLite: each call erased once (one audio_erased and one record_erased entry each), its file gone, the rest whole, verify clean")
    func racingErasures() throws {
        let p = try PostgresParity()
        defer { p.remove() }
        for b in p.backends {
            let request = ["erase", "--id", "p0", "--id", "p2", "--id", "p4", "--reason", "GDPR request 7", "--by", "dpo",
                           "--format", "json", "--config", b.config]
            let outputs = (0..<2).map { _ in Pipe() }
            let running = try outputs.map { try Support.start(request, stdout: $0) }
            let receipts = try zip(running, outputs).map { process, pipe in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(b.config): \(String(decoding: data, as: UTF8.self))")
                return try Support.jsonObject(String(decoding: data, as: UTF8.self))
            }
            // Between them, each call was erased by exactly one request, and audited once.
            let erased = try receipts.map { try Support.field($0, "erased", as: Int.self) }
            #expect(erased.reduce(0, +) == 3, "\(b.config): \(receipts)")
            func entries(_ action: String) throws -> [String] {
                let r = try b.cli(["audit", "list", "--action", action, "--format", "json"])
                try Support.require(r.status == 0, r.stderr)
                return try Support.jsonArray(r.stdout).flatMap { $0["ids"] as? [String] ?? [] }.sorted()
            }
            let audio = try entries("audio_erased"), records = try entries("record_erased")
            #expect(audio.count == 3 && Set(audio).count == 3, "\(b.config): audio_erased \(audio)")
            #expect(records.count == 3 && Set(records).count == 3, "\(b.config): record_erased \(records)")
            let left = try Support.jsonArray(try b.cli(["query", "--format", "json", "--limit", "0"]).stdout)
            #expect(left.compactMap { $0["call_id"] as? String }.sorted() == ["p1", "p3", "p5"], "\(b.config)")
            #expect(b.f.files(in: b.f.archive) == left.compactMap { $0["archive_path"] as? String }.sorted(), "only the kept calls' files are left")
            let verify = try b.cli(["verify"])
            #expect(verify.status == 0, "\(b.config): \(verify.stdout)\(verify.stderr)")
        }
    }
}
