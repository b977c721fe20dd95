import Foundation
import PostgresNIO

/// Applies ``PostgresSchema``'s migrations that an index lacks, safely when several machines
/// start at once: everything happens in one transaction that first takes a transaction-scoped
/// advisory lock (`pg_advisory_xact_lock`), so a second migrator waits, then finds the work done.
/// PostgreSQL's DDL is transactional: a migrator killed half-way leaves nothing behind.
///
/// ```swift
/// let applied = try await PostgresMigrator(index: index).migrate()   // ["pg-v1-index"], then []
/// ```
public struct PostgresMigrator: Sendable {
    public let index: PostgresIndex

    /// The advisory lock's key: "callvaul" as a big-endian Int64, so it names this program in
    /// `pg_locks` and will not meet another application's key by chance.
    public static let lockKey: Int64 = 0x6361_6c6c_7661_756c

    public init(index: PostgresIndex) { self.index = index }

    /// The migrations applied by this call, in order (empty when the index was up to date).
    /// Throws ``PostgresIndexError`` `.newerSchema` when the index has migrations this build
    /// does not know (a newer callvault migrated it), before changing anything.
    @discardableResult
    public func migrate() async throws -> [String] {
        let applied = try await apply()
        // After the commit (VACUUM cannot run in a transaction), by the migrator that applied them.
        // Interrupted here, the migration is done; autovacuum comes by later.
        // A vacuum that fails (cancelled, a timeout) is a warning: the migration is committed.
        for table in PostgresSchema.migrations.filter({ applied.contains($0.name) }).flatMap(\.vacuumAfter) {
            do {
                _ = try await index.query("vacuuming \(table) after the migration", PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(table)"))
            } catch {
                index.logger.warning("vacuuming \(table) after the migration failed (autovacuum will do it): \(error)")
            }
        }
        return applied
    }

    private func apply() async throws -> [String] {
        let logger = index.logger
        return try await index.transaction("migrating the schema") { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var done: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                done.insert(name)
            }
            let unknown = done.subtracting(PostgresSchema.knownNames).sorted()
            if !unknown.isEmpty {
                throw PostgresIndexError(.newerSchema, "PostgreSQL index \(index.url): migrated by a newer callvault (\(unknown.joined(separator: ", "))); use that version or newer")
            }
            var applied: [String] = []
            for migration in PostgresSchema.migrations where !done.contains(migration.name) {
                for statement in migration.statements {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch {
                        throw PostgresIndexError.wrap(error, step: "migration \(migration.name)")
                    }
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// The migrations the index has, in the order they were applied: by time, and those of one
    /// transaction (one time) in this build's order (by name, `pg-v10` would come before `pg-v2`).
    public func appliedMigrations() async throws -> [String] {
        let rows = try await index.query("reading the schema's migrations", "SELECT name, applied_at FROM schema_migrations")
        let order = Dictionary(uniqueKeysWithValues: PostgresSchema.migrations.enumerated().map { ($0.element.name, $0.offset) })
        return try rows.map { try $0.decode((String, Date).self) }
            .sorted { ($0.1, order[$0.0] ?? Int.max, $0.0) < ($1.1, order[$1.0] ?? Int.max, $1.0) }
            .map(\.0)
    }
}
