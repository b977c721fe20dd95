import GRDB

/// What the web application's `/healthz` and `/metrics` ask of the index, without blocking a
/// request's thread (GRDB's async reads).
extension CallIndex {
    /// Throws when the index does not answer a trivial query.
    public func checkAnswers() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// How many calls the index has records of (``callCount()`` for async callers).
    public func countCalls() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0 }
    }
}
