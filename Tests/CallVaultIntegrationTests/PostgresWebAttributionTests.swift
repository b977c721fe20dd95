import CallVaultTestSupport
import Foundation
import Testing

/// `web import-sessions`, `web import-callbacks` and attribution by pool session and call-back on
/// a PostgreSQL index (issue 20): the demo's samples/ (its spool, registry with a number pool,
/// sessions and call-back requests) on SQLite and on PostgreSQL attribute every call alike,
/// whether the website's logs are imported before the calls (ingest) or after them (relink).
@Suite("web logs and attribution on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresWebAttributionTests {
    /// A copy of samples/ whose config names `database` (the sample's SQLite file, or a URL).
    struct Sample {
        let root: URL
        let config: String

        init(_ name: String, database: String?) throws {
            root = try Support.temporaryDirectory(name)
            let samples = Support.packageRoot.appendingPathComponent("samples").path
            for item in ["spool", "callvault.toml", "registry.csv", "directory.csv", "sessions.jsonl", "callbacks.csv"] {
                try FileManager.default.copyItem(atPath: samples + "/" + item, toPath: root.path + "/" + item)
            }
            // As scripts/setup.sh makes it: `run` on a SQLite index wants the archive folder there.
            try FileManager.default.createDirectory(atPath: root.path + "/archive", withIntermediateDirectories: true)
            config = root.path + "/callvault.toml"
            if let database {
                let text = try String(contentsOfFile: config, encoding: .utf8)
                    .replacingOccurrences(of: #"database = "callvault.sqlite""#, with: #"database = "\#(database)""#)
                try Support.require(text.contains(database), "samples/callvault.toml names its database as expected")
                try text.write(toFile: config, atomically: true, encoding: .utf8)
            }
        }

        /// `callvault ARGS --config CONFIG`, file arguments named relative to the copy (the same text on both).
        func cli(_ args: [String]) throws -> Support.Result {
            try Support.run(Support.binary, args + ["--config", config], directory: root.path)
        }
    }

    /// Runs the steps in `order` on both backends, comparing every output (the copy's folder and
    /// today's times masked), then the calls in every format; returns PostgreSQL's calls as JSON.
    func compare(_ order: [[String]], name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let samples = [try Sample(name + "-sqlite", database: nil), try Sample(name + "-postgres", database: db.url)]
        defer { for s in samples { try? FileManager.default.removeItem(at: s.root) } }
        func masked(_ text: String, _ s: Sample) throws -> String {
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            return try text.replacingOccurrences(of: s.root.path, with: "ROOT").replacing(Regex(today + #"T\d\d:\d\d:\d\dZ"#), with: "TODAY")
        }
        func same(_ command: [String]) throws -> String {
            let results = try samples.map { s in
                let r = try s.cli(command)
                return (r.status, try masked(r.stdout, s), try masked(r.stderr, s))
            }
            #expect(results[0].0 == results[1].0, "\(command): \(results.map(\.0)) \(results.map(\.2))", sourceLocation: sourceLocation)
            // `run`: the same exit status (3: two samples are bad on purpose); its log and timings are each run's own.
            if command.first == "run" { return results[1].1 }
            #expect(results[0].1 == results[1].1, "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)",
                    sourceLocation: sourceLocation)
            #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)",
                    sourceLocation: sourceLocation)
            return results[1].1
        }
        for step in order { _ = try same(step) }
        for format in ["table", "csv"] { _ = try same(["query", "--limit", "0", "--format", format]) }
        _ = try same(["numbers", "relink"])
        let audits = try samples.map { s in
            let r = try s.cli(["audit", "list", "--format", "json"])
            try Support.require(r.status == 0, r.stderr)
            return try Support.jsonArray(r.stdout).map { entry in
                let kept = entry.filter { !["at", "hash", "prev_hash"].contains($0.key) }
                return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(audits[0] == audits[1], "\(audits)", sourceLocation: sourceLocation)
        let methods = try db.rows("SELECT attribution::jsonb ->> 'method', count(*) FROM calls GROUP BY 1 ORDER BY 1")
        #expect(Set(methods.map { $0[0] }).isSuperset(of: ["callback", "number", "pool-session"]), "\(methods)", sourceLocation: sourceLocation)
        return try Support.jsonArray(try same(["query", "--limit", "0", "--format", "json"]))
    }

    static let imports: [[String]] = [
        ["numbers", "import", "registry.csv"], ["directory", "import", "directory.csv"],
        ["web", "import-sessions", "sessions.jsonl"], ["web", "import-callbacks", "callbacks.csv"],
    ]

    @Test("the demo's logs imported before the calls: ingest attributes pool-session and callback calls on PostgreSQL exactly as on SQLite; importing them again changes nothing")
    func logsBeforeCalls() throws {
        let calls = try compare(Self.imports + [["run", "--once", "--settle-seconds", "0"]] + Self.imports.suffix(2), name: "web-before")
        let byMethod = Dictionary(grouping: calls) { ($0["attribution"] as? [String: Any])?["method"] as? String ?? "" }
        #expect(byMethod["pool-session"]?.isEmpty == false && byMethod["callback"]?.isEmpty == false, "\(byMethod.keys.sorted())")
    }

    @Test("the demo's logs imported after the calls: each import re-links the calls it concerns on PostgreSQL exactly as on SQLite")
    func logsAfterCalls() throws {
        let steps: [[String]] = [["numbers", "import", "registry.csv"], ["run", "--once", "--settle-seconds", "0"],
                                 ["query", "--limit", "0", "--format", "json"]] + Self.imports.suffix(3)
        _ = try compare(steps, name: "web-after")
    }
}
