import CallVaultTestSupport
import Foundation
import Testing

/// `numbers` on a PostgreSQL index (issue 20): one real-speech spool run into both backends, the
/// same registry imported into each, the commands' output compared byte for byte, and calls that
/// arrive after the import attributed by it on PostgreSQL.
@Suite("numbers on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresNumbersTests {
    @Test("numbers import, list, unassigned and relink print the same on SQLite and PostgreSQL; the calls are re-linked alike (a pool number's as pool-fallback), a second import moves them alike, and a call archived afterwards is attributed by the imported registry")
    func sameRegistryOnBothBackends() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let sqliteFixture = try SpoolFixture(name: "numbers-sqlite")
        defer { sqliteFixture.remove() }
        let postgresFixture = try SpoolFixture(name: "numbers-postgres")
        defer { postgresFixture.remove() }
        let backends = [try PostgresHoldRetentionTests.Backend(sqliteFixture, database: "index.sqlite"),
                        try PostgresHoldRetentionTests.Backend(postgresFixture, database: db.url)]
        func spool(_ calls: [(stem: String, fixture: String, number: String)], day: Int) throws {
            for b in backends {
                for (n, call) in calls.enumerated() {
                    try b.f.add(stem: call.stem, fixture: call.fixture,
                                sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-\(day + n)T14:00:00Z", callID: call.stem,
                                                              extra: ["caller": "+1 212 555 01\(10 + n)"]))
                }
                let run = try b.cli(["run", "--once", "--settle-seconds", "0"])
                try #require(run.status == 0, "\(run.stderr)")
            }
        }
        try spool(PostgresRunTests.calls, day: 20)

        /// What legitimately differs: each archive root, and `ingested_at` (when each worker wrote the call).
        func masked(_ text: String, _ f: SpoolFixture) throws -> String {
            try text.replacingOccurrences(of: f.archive, with: "ARCHIVE")
                .replacing(Regex(#""ingested_at" ?: ?"[^"]*""#), with: #""ingested_at":"MASKED""#)
        }
        @discardableResult
        func same(_ command: [String], status: Int32 = 0) throws -> String {
            let results = try backends.map { b in
                let r = try b.cli(command)
                return (r.status, try masked(r.stdout, b.f), r.stderr)
            }
            #expect(results.map(\.0) == [status, status], "\(command): \(results.map(\.2))")
            #expect(!results[0].1.isEmpty && results[0].1 == results[1].1,
                    "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)")
            #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)")
            return results[1].1
        }

        for format in ["table", "json", "csv"] { try same(["numbers", "unassigned", "--format", format]) }
        // One file, one path, for both: the import's message names it.
        let csv = sqliteFixture.root.appendingPathComponent("registry.csv").path
        try """
            tracking_number,campaign,source,medium,valid_from,valid_to,pool
            +14155550100,Search-Brand,google,cpc,2026-01-01,2026-11-22,
            +14155550100,Radio,kfog,radio,2026-11-22,,
            +14155550199,Mailer,usps,print,,,site
            +14155550111,Unused,none,none,,,

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try same(["numbers", "import", csv]).contains("4 rows (4 new, 0 removed); 6 calls re-linked"))
        #expect(try same(["numbers", "import", csv]).contains("4 rows, registry unchanged"))
        for format in ["table", "json", "csv"] {
            try same(["numbers", "list", "--format", format])
            try same(["query", "--format", format, "--limit", "0"])
        }
        #expect(try same(["numbers", "unassigned"]).contains("tracking_number"), "the table's header: no number is unassigned now")
        #expect(try same(["numbers", "relink"]) == "0 calls re-linked\n")
        #expect(try db.rows("SELECT call_id, campaign, attribution::jsonb ->> 'method' FROM calls ORDER BY call_id") == [
            ["p0", "Search-Brand", "number"], ["p1", "Mailer", "pool-fallback"], ["p2", "Radio", "number"], ["p3", "Radio", "number"],
            ["p4", "Mailer", "pool-fallback"], ["p5", "Radio", "number"],
        ])

        // Radio starts a day later: p2 moves back to Search-Brand on both.
        let moved = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: "2026-11-22", with: "2026-11-23")
        try moved.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try same(["numbers", "import", csv]).contains("4 rows (2 new, 2 removed); 6 calls re-linked"), "every row is new: every call's registry_id")
        try same(["query", "--campaign", "Search-Brand", "--format", "json"])
        #expect(try db.rows("SELECT call_id FROM calls WHERE campaign = 'Search-Brand' ORDER BY call_id") == [["p0"], ["p2"]])

        // A call archived after the import is attributed by it.
        try spool([("p6", "speech.wav", "+14155550100")], day: 27)
        try same(["query", "--format", "json", "--limit", "0"])
        #expect(try db.rows("SELECT campaign, attribution::jsonb ->> 'method' FROM calls WHERE call_id = 'p6'") == [["Radio", "number"]])
        try same(["numbers", "list", "--format", "csv"])
    }
}
