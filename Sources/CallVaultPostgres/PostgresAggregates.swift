import PostgresNIO

/// `db rebuild-aggregates` on PostgreSQL: there is nothing to rebuild. On SQLite the reports read
/// derived tables (`report_quarters` and the others, kept by triggers; Store's
/// `ReportAggregates.rebuild` refills them); a PostgreSQL index keeps none (``PostgresSchema``
/// creates no derived table) and every report scans the calls (``PostgresReportSource``), so its
/// numbers cannot drift from the calls.
///
/// What the command says is checked, not assumed: ``check()`` lists the index's tables named as
/// SQLite's derived ones are (`report_…`) and counts the calls the reports scan. A table found
/// there would be one this callvault does not know how to refill, and the command refuses to
/// call the index rebuilt.
public struct PostgresAggregates: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    /// The derived tables found and the calls the reports scan.
    public struct Check: Sendable, Equatable {
        /// Tables named `report_…` in the index's schema, in name order (none by design).
        public var derivedTables: [String]
        /// The calls every report scans.
        public var calls: Int
    }

    public func check() async throws -> Check {
        let tables = try await index.query("listing the index's report tables", """
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name LIKE 'report\\_%' ORDER BY table_name
            """).map { try $0.decode(String.self) }
        let calls = try await index.query("counting the calls", "SELECT count(*) FROM calls").first?.decode(Int64.self) ?? 0
        return Check(derivedTables: tables, calls: Int(calls))
    }
}
