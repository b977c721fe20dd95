import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import Foundation
import Testing

@Suite("PostgreSQL's report columns are read from the arrays' binary bytes", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresArrayCellTests {
    @Test("smallint, integer and bigint columns at their edges and text in UTF-8 come back as the rows had them, in order; no rows give empty columns; a NULL is an error naming the column")
    func columnsAtTheEdges() async throws {
        try await PostgresTestServer.withDatabase { url, password in
            try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                let store = PostgresAggregateStore(index: index)
                let (columns, empty, failure) = try await onThread { try Self.read(store) }
                #expect(columns.ints[0] == [Int(Int16.min), -1, 0, 1, Int(Int16.max)])
                #expect(columns.ints[1] == [Int(Int32.min), -1, 0, 1, Int(Int32.max)])
                #expect(columns.ints[2] == [Int(Int64.min), -1, 0, 1, Int(Int64.max)])
                #expect(columns.texts[0] == ["Kathmandu +05:45", "", "zürich ☎", "a,b\"c", "2026-12-01T00:00:00Z"])
                #expect(columns.count == 5)
                #expect(empty == ReportColumns(ints: [[]], texts: [[]]))
                #expect(failure.contains("reading report aggregates") && failure.contains("column 2's array element 2 is NULL"), "\(failure)")
            }
        }
    }

    /// The three reads of the test, in one read transaction.
    static func read(_ store: PostgresAggregateStore) throws -> (ReportColumns, ReportColumns, String) {
        try store.readAggregates { db in
            let columns = try db.columns("""
                SELECT a, b, c, t FROM (VALUES
                    (1, CAST(-32768 AS smallint), -2147483648, CAST(-9223372036854775808 AS bigint), 'Kathmandu +05:45'),
                    (2, CAST(-1 AS smallint), -1, CAST(-1 AS bigint), ''),
                    (3, CAST(0 AS smallint), 0, CAST(0 AS bigint), 'zürich ☎'),
                    (4, CAST(1 AS smallint), 1, CAST(1 AS bigint), 'a,b"c'),
                    (5, CAST(32767 AS smallint), 2147483647, CAST(9223372036854775807 AS bigint), '2026-12-01T00:00:00Z')
                ) AS v(i, a, b, c, t) ORDER BY i
                """, [], ints: 3, texts: 1)
            let empty = try db.columns("SELECT g, CAST(g AS text) FROM generate_series(1, 0) g", [], ints: 1, texts: 1)
            var failure = ""
            do { _ = try db.columns("SELECT 1, CAST(NULLIF(g, 2) AS bigint) FROM generate_series(1, 3) g", [], ints: 2, texts: 0) }
            catch { failure = "\(error)" }
            return (columns, empty, failure)
        }
    }
}
