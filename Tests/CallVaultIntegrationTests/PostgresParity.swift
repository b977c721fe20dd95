import CallVaultTestSupport
import Foundation
import Testing

/// One real-speech spool run into a SQLite and a PostgreSQL index, and commands run on both with
/// their output compared byte for byte (issue 20: every command works on PostgreSQL with the same
/// output). Masked: only the archive roots and today's times (each command's own clock).
struct PostgresParity {
    let db: PostgresDatabase
    let sqlite: SpoolFixture
    let postgres: SpoolFixture
    let backends: [PostgresHoldRetentionTests.Backend]

    /// Both indexes with ``PostgresRunTests/calls`` archived (a call a day from 2026-11-20,
    /// callers +1 212 555 0110…). ``remove()`` drops the database and the folders.
    init(name: String = #function, sidecarExtra: (Int) -> [String: Any] = { _ in [:] }) throws {
        db = try PostgresDatabase()
        sqlite = try SpoolFixture(name: name + "-sqlite")
        postgres = try SpoolFixture(name: name + "-postgres")
        backends = [try .init(sqlite, database: "index.sqlite"), try .init(postgres, database: db.url)]
        for b in backends {
            for (n, call) in PostgresRunTests.calls.enumerated() {
                let extra = ["caller": "+1 212 555 01\(10 + n)"].merging(sidecarExtra(n)) { $1 }
                try b.f.add(stem: call.stem, fixture: call.fixture,
                            sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-2\(n)T14:00:00Z", callID: call.stem, extra: extra))
            }
            let run = try b.cli(["run", "--once", "--settle-seconds", "0"])
            try Support.require(run.status == 0, run.stderr)
        }
    }

    func remove() {
        db.drop()
        sqlite.remove()
        postgres.remove()
    }

    /// Runs `command` on both backends; expects `status` and the same stdout and stderr (masked)
    /// on both, and returns PostgreSQL's stdout.
    @discardableResult
    func same(_ command: [String], status: Int32 = 0, stdin: String? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let results = try backends.map { b in
            let r = try Self.cli(b, command, stdin: stdin)
            return (r.status, try PostgresHoldRetentionTests.masked(r.stdout, b.f), try PostgresHoldRetentionTests.masked(r.stderr, b.f))
        }
        #expect(results.map(\.0) == [status, status], "\(command): \(results.map(\.2))", sourceLocation: sourceLocation)
        #expect(results[0].1 == results[1].1, "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)",
                sourceLocation: sourceLocation)
        #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)",
                sourceLocation: sourceLocation)
        return results[1].1
    }

    /// The audit entries of each backend as sorted-key JSON, without `at` and the hashes that cover it.
    func auditEntries() throws -> [[String]] {
        try backends.map { b in
            let r = try b.cli(["audit", "list", "--format", "json"])
            try Support.require(r.status == 0, r.stderr)
            return try Support.jsonArray(r.stdout).map { entry in
                let kept = entry.filter { !["at", "hash", "prev_hash"].contains($0.key) }
                return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
            }
        }
    }

    /// `callvault ARGS --config CONFIG` on `b`, with `stdin` as its standard input when given.
    static func cli(_ b: PostgresHoldRetentionTests.Backend, _ command: [String], stdin: String? = nil) throws -> Support.Result {
        guard let stdin else { return try b.cli(command) }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-stdin-\(UUID().uuidString)").path
        try stdin.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        // sh only redirects: the arguments reach callvault as given ("$@").
        return try Support.run("/bin/sh", ["-c", #"f=$1; shift; exec "$@" < "$f""#, "sh", input, Support.binary]
                               + command + ["--config", b.config])
    }
}
