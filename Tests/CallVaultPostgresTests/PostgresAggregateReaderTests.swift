import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import Foundation
import Testing

@Suite("PostgreSQL's aggregate reader streams its statements a page at a time", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresAggregateReaderTests {
    @Test("every row once, in order, in pages of the page size; a read inside a page's body (the open statement taken into memory first) and a statement after it; an error names the step and the transaction rolls back; a body that throws with rows unread returns its error")
    func pagesAndNestedReads() async throws {
        try await PostgresTestServer.withDatabase { url, password in
            try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                var store = PostgresAggregateStore(index: index)
                store.pageSize = 1_000
                let reader = store
                let (outer, inner, after) = try await onThread {
                    try reader.readAggregates { db -> ([Int], [Int], [Int]) in
                        var outer: [Int] = [], inner: [Int] = [], after: [Int] = []
                        try db.forEachRow("SELECT g FROM generate_series(1, 2500) g ORDER BY g", []) { row in
                            let g = try row.int(0)
                            outer.append(g)
                            // In the first page, with 1,500 rows of the outer statement unread.
                            if g == 10 {
                                try db.forEachRow("SELECT g * 10 FROM generate_series(1, 1200) g ORDER BY g", []) { inner.append(try $0.int(0)) }
                            }
                        }
                        try db.forEachRow("SELECT g FROM generate_series(1, 3) g ORDER BY g", []) { after.append(try $0.int(0)) }
                        return (outer, inner, after)
                    }
                }
                #expect(outer == Array(1...2500))
                #expect(inner == (1...1200).map { $0 * 10 })
                #expect(after == [1, 2, 3])

                // Exactly a page's worth: the last page is full, and a read after it still works.
                let full = try await onThread {
                    try reader.readAggregates { db -> Int in
                        var n = 0
                        try db.forEachRow("SELECT g FROM generate_series(1, 2000) g", []) { _ in n += 1 }
                        try db.forEachRow("SELECT 1", []) { _ in n += 1 }
                        return n
                    }
                }
                #expect(full == 2001)

                // A failing statement is an error naming the step.
                let failure = await #expect(throws: PostgresIndexError.self) {
                    try await onThread {
                        try reader.readAggregates { db in
                            try db.forEachRow("SELECT 1 / (g - 1500) FROM generate_series(1, 2000) g", []) { _ in }
                        }
                    }
                }
                #expect("\(failure.map { "\($0)" } ?? "")".contains("reading report aggregates"))

                // A page's body that throws with rows unread: the error comes back (the rest of the
                // statement is dropped, the transaction rolled back), and the pool reads again.
                struct Stop: Error {}
                await #expect(throws: Stop.self) {
                    try await onThread {
                        try reader.readAggregates { db in
                            try db.forEachRow("SELECT g FROM generate_series(1, 100000) g", []) { row in
                                if try row.int(0) == 5 { throw Stop() }
                            }
                        }
                    }
                }
                let again = try await onThread {
                    try reader.readAggregates { db -> Int in
                        var n = 0
                        try db.forEachRow("SELECT count(*) FROM generate_series(1, 10)", []) { n = try $0.int(0) }
                        return n
                    }
                }
                #expect(again == 10)
            }
        }
    }
}
