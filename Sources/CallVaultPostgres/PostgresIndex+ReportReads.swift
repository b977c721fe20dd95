import PostgresNIO

extension PostgresIndex {
    /// How a report's read transaction starts: read-only, and without JIT compilation. A report
    /// reads through indexes or streams a table's pages; the planner costs such statements over
    /// `jit_above_cost` and compiled them for 200–320 ms before running them in tens of
    /// milliseconds (10M calls: dead-air for a month 0.3 s of JIT, missed --unreturned 0.2 s).
    static let reportReadStatements = ["SET TRANSACTION READ ONLY", "SET LOCAL jit = off"]

    /// Runs `body` in a read-only transaction without JIT (``reportReadStatements``).
    func reportRead<T: Sendable>(_ step: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(step) { connection in
            try await Self.startReportRead(connection, logger: logger)
            return try await body(connection)
        }
    }

    /// ``reportReadStatements`` on the transaction open on `connection`, before its first query.
    static func startReportRead(_ connection: PostgresConnection, logger: Logger) async throws {
        for statement in reportReadStatements {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}
