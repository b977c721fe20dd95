import PostgresNIO

/// `db rebuild-aggregates` on PostgreSQL: empties and refills every report aggregate
/// (``PostgresReportTables``) from the `calls` rows alone, whatever wrote them, in one
/// transaction — interrupted, the index keeps the tables it had. The calls are locked against
/// writes meanwhile (`SHARE` mode: reads go on), so no call is added or removed half-way; the
/// tables' rows are deleted, not truncated, so reports go on reading the old ones until the
/// commit. Keys are numbered 1, 2, … again.
public struct PostgresAggregates: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    /// The derived tables, in the order they are refilled.
    public static var tables: [String] { PostgresReportTables.tables + [PostgresCallerLastTables.table] }

    /// Rebuilds the tables, then vacuums them; returns the number of calls they now describe.
    ///
    /// The `VACUUM (ANALYZE)` after the commit (it cannot run in a transaction): the new rows are
    /// not yet marked visible to all, so the index-only reads of one campaign's quarters
    /// (pg-v10's covering key) fetched every row from the heap until autovacuum came by — 10M
    /// calls: summary by day of one campaign 183 → 378 ms, `compare` 70 → 128 ms — and the
    /// planner's statistics were the old rows'. Interrupted there, the rebuild is done; the
    /// tables are vacuumed later by autovacuum.
    @discardableResult
    public func rebuild() async throws -> Int {
        let calls = try await refill()
        for table in Self.tables {
            _ = try await index.query("vacuuming \(table) after the rebuild", PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(table)"))
        }
        return calls
    }

    private func refill() async throws -> Int {
        let logger = index.logger
        return try await index.transaction("rebuilding the report aggregates") { connection in
            func run(_ sql: String) async throws {
                do { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                catch { throw PostgresIndexError.wrap(error, step: "rebuilding the report aggregates") }
            }
            try await run("LOCK TABLE calls IN SHARE MODE")
            // DELETE, not TRUNCATE: a report reading meanwhile keeps its snapshot of the old rows
            // (TRUNCATE would lock each table against it, and show it empty tables).
            for table in Self.tables.reversed() { try await run("DELETE FROM \(table)") }
            for statement in PostgresReportTables.fillStatements + PostgresReportTables.deadAirFillStatements
                + PostgresCallerLastTables.fillStatements { try await run(statement) }
            let calls = try await connection.query("SELECT coalesce(sum(calls), 0)::bigint FROM report_quarters", logger: logger)
                .collect().first?.decode(Int64.self) ?? 0
            return Int(calls)
        }
    }
}
