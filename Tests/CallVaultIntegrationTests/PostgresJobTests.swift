import CallVaultTestSupport
import Foundation
import Testing

/// `callvault job run` on a PostgreSQL index (issue 20): the demo's job (jobs/demo.toml without
/// its report step) over samples/ gives the same steps, exit statuses and index on both backends.
@Suite("job run on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresJobTests {
    static let steps = """
        config = "callvault.toml"
        metrics_file = "metrics/demo.prom"

        [[steps]]
        command = "import-numbers"
        file = "registry.csv"

        [[steps]]
        command = "import-directory"
        file = "directory.csv"

        [[steps]]
        command = "import-sessions"
        file = "sessions.jsonl"

        [[steps]]
        command = "import-callbacks"
        file = "callbacks.csv"

        [[steps]]
        command = "ingest"

        [[steps]]
        command = "relink"

        [[steps]]
        command = "retention"

        [[steps]]
        command = "verify"

        """

    @Test("the demo's steps (imports, ingest, relink, retention, verify) run on PostgreSQL with the same exit statuses and leave the same calls as on SQLite")
    func demoJobOnBothBackends() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let samples = [try PostgresWebAttributionTests.Sample("job-sqlite", database: nil),
                       try PostgresWebAttributionTests.Sample("job-postgres", database: db.url)]
        defer { for s in samples { try? FileManager.default.removeItem(at: s.root) } }
        let results = try samples.map { s in
            let job = s.root.path + "/demo.toml"
            try Self.steps.write(toFile: job, atomically: true, encoding: .utf8)
            let r = try Support.run(Support.binary, ["job", "run", job, "--format", "json", "--log-level", "warning"], directory: s.root.path)
            let result = try Support.jsonObject(r.stdout)
            let steps = try Support.field(result, "steps", as: [[String: Any]].self)
            return (r.status, try steps.map { "\(try Support.field($0, "name", as: String.self)): \(try Support.field($0, "exit_code", as: Int.self))" })
        }
        // 3: two samples are bad on purpose (quarantined), on both.
        #expect(results[0].0 == 3 && results[1].0 == 3, "\(results)")
        #expect(results[0].1 == results[1].1 && results[1].1.count == 8, "\(results)")
        #expect(results[1].1.filter { !$0.hasSuffix(": 0") } == ["ingest: 3"], "\(results[1].1)")
        let queries = try samples.map { s in
            let r = try s.cli(["query", "--limit", "0", "--format", "json"])
            // Masked: the copy's folder, and today's times (`ingested_at`: when each worker wrote the call).
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            return try r.stdout.replacingOccurrences(of: s.root.path, with: "ROOT").replacing(Regex(today + #"T\d\d:\d\d:\d\dZ"#), with: "TODAY")
        }
        #expect(queries[0] == queries[1] && queries[1].contains("pool-session") && queries[1].contains("callback"),
                "--- SQLite\n\(queries[0])\n--- PostgreSQL\n\(queries[1])")
        #expect(try db.rows("SELECT count(*) FROM calls") == [["16"]])
        #expect(try db.rows("SELECT count(*) FROM caller_directory WHERE number IS NOT NULL")[0][0] != "0")
    }
}
