import CallVaultCore
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import CallVaultWorker
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests run against: `CALLVAULT_TEST_POSTGRES_URL` (scripts/test.sh
/// starts a throwaway cluster with scripts/pg-cluster.sh and sets it, with `PGPASSFILE`). Without
/// the variable the server tests are skipped, saying why; with it, a server that cannot be
/// reached fails them.
enum PostgresTestServer {
    static let urlText = ProcessInfo.processInfo.environment["CALLVAULT_TEST_POSTGRES_URL"]
    static var isConfigured: Bool { urlText != nil }
    /// Warnings and worse: the pool's retries against the unreachable-server test log at info.
    static let logger: Logger = {
        var logger = Logger(label: "callvault.postgres.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` on a database of its own (created empty, dropped afterwards), so tests run in
    /// parallel without seeing one another's tables.
    static func withDatabase<T: Sendable>(_ body: (PostgresURL, String?) async throws -> T) async throws -> T {
        let base = try PostgresURL(try requireURL())
        let password = try PostgresCredentials.resolve(url: base, passwordFile: nil).password
        // Only [a-z0-9_]: an identifier cannot be a bound parameter, so it is made safe by construction.
        let name = "cvtest_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresIndex.withRunning(url: base, password: password, logger: logger) { admin in
            _ = try await admin.query("creating \(name)", PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        var url = base
        url.database = name
        do {
            let result = try await body(url, password)
            try await drop(name, base: base, password: password)
            return result
        } catch {
            try? await drop(name, base: base, password: password)
            throw error
        }
    }

    /// Runs `body` with a migrated index on a database of its own.
    static func withIndex<T: Sendable>(_ body: (PostgresIndex) async throws -> T) async throws -> T {
        try await withDatabase { url, password in
            try await PostgresIndex.withRunning(url: url, password: password, logger: logger) { index in
                try await PostgresMigrator(index: index).migrate()
                return try await body(index)
            }
        }
    }

    private static func drop(_ name: String, base: PostgresURL, password: String?) async throws {
        try await PostgresIndex.withRunning(url: base, password: password, logger: logger) { admin in
            _ = try await admin.query("dropping \(name)", PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }

    private static func requireURL() throws -> String {
        guard let urlText else { throw PostgresIndexError(.unreachable, "CALLVAULT_TEST_POSTGRES_URL is not set") }
        return urlText
    }

    /// Inserts a copy of call `from` as a new call: its own id, call id, archive path and start
    /// (and `outcome`, when given); every other column as the original's.
    static func copyCall(_ connection: PostgresConnection, from: String, id: String, startedAt: String, outcome: String? = nil) async throws {
        var fields = ["id": id, "call_id": id, "archive_path": id + ".opus", "started_at": startedAt]
        if let outcome { fields["outcome"] = outcome }
        let overrides = String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
        try await connection.query("""
            INSERT INTO calls SELECT (jsonb_populate_record(c, \(overrides)::jsonb)).* FROM calls c WHERE c.id = \(from)
            """, logger: logger)
    }

    /// Archives `records` through the worker's queue and ingest transaction (a job per call, its
    /// stem the call id), as `callvault run` does. Synchronous: run it on a thread of its own
    /// (`onThread`), never on the cooperative pool.
    static func ingest(_ records: [CallRecord], into index: PostgresIndex, now: Date) throws {
        let store = PostgresQueueStore(index: index, leaseSeconds: 60)
        _ = try store.enqueue(records.map { SpoolArrival(stem: $0.callID, audioName: $0.callID + ".wav") }, now: now) { _ in true }
        while let job = try store.claim(owner: "me", now: now) {
            guard let record = records.first(where: { $0.callID == job.stem }) else { throw IngestFixtureError(stem: job.stem) }
            _ = try IngestTransaction.commit(record, job: job, owner: "me", retention: nil, now: now, in: store)
        }
    }

    struct IngestFixtureError: Error, CustomStringConvertible {
        let stem: String
        var description: String { "no record for job \(stem)" }
    }
}
