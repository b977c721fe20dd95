import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import CallVaultWorker
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL report reads: the scan's calls, first calls, missed, dead air, call-backs", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresReportSourceTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// Six calls: X twice in one second (a, b), Y missed then answered (c, d), Z abandoned (e), an
    /// anonymous missed call (f); a has two equal inner silences and silences at both edges.
    static func records() throws -> [CallRecord] {
        var a = try StoreFixture.record(callID: "a", caller: "+12125550101", startedAt: "2026-11-20T10:00:00Z")
        a.silences = [Interval(startMs: 0, endMs: 2000), Interval(startMs: 5000, endMs: 9000), Interval(startMs: 12_000, endMs: 16_000),
                      Interval(startMs: 26_000, endMs: 30_000)]
        a.longestSilenceMs = 4000
        let b = try StoreFixture.record(callID: "b", caller: "+12125550101", startedAt: "2026-11-20T10:00:00Z")
        let c = try StoreFixture.record(callID: "c", caller: "+12125550102", startedAt: "2026-11-21T08:00:00Z", outcome: .missed)
        let d = try StoreFixture.record(callID: "d", caller: "+12125550102", startedAt: "2026-11-22T08:00:00Z")
        let e = try StoreFixture.record(callID: "e", caller: "+12125550103", startedAt: "2026-11-23T08:00:00Z", outcome: .abandoned)
        let f = try StoreFixture.record(callID: "f", caller: nil, startedAt: "2026-11-23T09:00:00Z", outcome: .missed)
        return [a, b, c, d, e, f]
    }

    @Test("the scan reads every matching call once across fetches (campaign, since/until, keyword, an attribution field); first calls break a same-second tie by id, and among a filter's calls only the callers first seen there; missed pages, counts and the call-back list; dead air's longest inner silence, the first of equal ones")
    func readsMatchTheRules() async throws {
        let records = try Self.records()
        let ids = Dictionary(uniqueKeysWithValues: records.map { ($0.callID, $0.id) })
        let now = now
        try await PostgresTestServer.withIndex { index in
            try await onThread { try PostgresTestServer.ingest(records, into: index, now: now) }
            _ = try await index.query("campaigns", "UPDATE calls SET campaign = CASE WHEN call_id IN ('a', 'b', 'c') THEN 'A' ELSE 'B' END")
            _ = try await index.query("keyword", """
                UPDATE calls SET attribution = '{"method":"pool-session","keyword":"k1","utm_source":"google"}' WHERE call_id = 'd'
                """)
            var source = PostgresReportSource(index: index)
            source.pageSize = 2
            let reader = source

            func scan(_ query: CallQuery, field: String? = nil, keywords: [String] = []) async throws -> [String] {
                try await onThread {
                    var seen: [String] = []
                    try reader.forEachCall(query, attributionField: field, keywords: keywords) { seen.append("\($0.id) \($0.dimension ?? "-")") }
                    return seen.sorted()  // in no particular order
                }
            }
            // Six calls fetched two at a time: each once.
            #expect(try await scan(CallQuery()) == records.map(\.id).sorted().map { "\($0) -" })
            var firstDays = CallQuery()
            firstDays.campaigns = ["A"]
            firstDays.since = Timestamp.parseInstant("2026-11-20T10:00:00Z")
            firstDays.until = Timestamp.parseInstant("2026-11-21T08:00:00Z")
            #expect(try await scan(firstDays, field: "method") == [ids["a"]!, ids["b"]!].sorted().map { "\($0) none" }, "until is exclusive")
            #expect(try await scan(CallQuery(), field: "utm_source", keywords: ["k1", "k2"]) == ["\(ids["d"]!) google"])

            let first = try await onThread { try reader.firstCallIDs() }
            #expect(first == ["+12125550101": min(ids["a"]!, ids["b"]!), "+12125550102": ids["c"]!, "+12125550103": ids["e"]!])
            var lastDays = CallQuery()
            lastDays.since = Timestamp.parseInstant("2026-11-22T00:00:00Z")
            let queries = [CallQuery(), firstDays, lastDays]
            let among = try await onThread { try queries.map { try reader.firstCallIDs(among: $0) } }
            #expect(among[0] == first)
            #expect(among[1] == ["+12125550101": min(ids["a"]!, ids["b"]!)], "only the callers the filter finds")
            #expect(among[2] == ["+12125550103": ids["e"]!],
                    "a caller first seen before the period is left out (none of its calls there is its first); the anonymous call has none")

            let pages = try await onThread {
                [try reader.missedCalls(CallQuery(), unreturnedOnly: false, limit: 0, exactScan: false), try reader.missedCalls(CallQuery(), unreturnedOnly: false, limit: 2, exactScan: false),
                 try reader.missedCalls(CallQuery(), unreturnedOnly: true, limit: 0, exactScan: false), try reader.missedCalls(CallQuery(), unreturnedOnly: true, limit: 1, exactScan: false)]
            }
            #expect(pages[0].calls.map { "\($0.id) \($0.outcome) \($0.answeredAt ?? "-")" }
                    == ["\(ids["c"]!) missed 2026-11-22T08:00:00Z", "\(ids["e"]!) abandoned -", "\(ids["f"]!) missed -"])
            #expect(!pages[0].more && pages[0].total == nil)
            #expect(pages[1].calls.map(\.id) == [ids["c"]!, ids["e"]!] && pages[1].more && pages[1].total == 3)
            #expect(pages[2].calls.map(\.id) == [ids["e"]!] && !pages[2].more, "the anonymous call cannot be called back")
            #expect(pages[3].calls.map(\.id) == [ids["e"]!] && !pages[3].more)

            // The call-back list from report_caller_last against the seek per missed call
            // (--exact-scan): Y's answered call d gets a missed call in its very second (nothing
            // answered after it: unreturned) and an abandoned one a second before (returned by d);
            // Z (e) gets two more missed calls, one in the next month.
            func copy(_ from: String, _ id: String, _ at: String, _ outcome: String) async throws {
                try await index.transaction("copying \(from)") { try await PostgresTestServer.copyCall($0, from: from, id: id, startedAt: at, outcome: outcome) }
            }
            try await copy(ids["d"]!, "d-same-second", "2026-11-22T08:00:00Z", "missed")
            try await copy(ids["d"]!, "d-second-before", "2026-11-22T07:59:59Z", "abandoned")
            try await copy(ids["e"]!, "e-later", "2026-11-24T08:00:00Z", "missed")
            try await copy(ids["e"]!, "e-next-month", "2026-12-02T08:00:00Z", "missed")
            let bounds: [(Date?, Date?)] = [(nil, nil), (nil, Timestamp.parseInstant("2026-11-24T08:00:00Z")), (Timestamp.parseInstant("2026-11-22T08:00:00Z"), nil),
                                            (Timestamp.parseInstant("2026-11-22T07:59:59Z"), Timestamp.parseInstant("2026-12-01T00:00:00Z"))]
            try await Self.expectUnreturnedAsScan(reader, bounds: bounds, limits: [0, 1, 2])
            let all = try await onThread { try reader.missedCalls(CallQuery(), unreturnedOnly: true, limit: 0, exactScan: false) }
            #expect(all.calls.map(\.id) == ["d-same-second", ids["e"]!, "e-later", "e-next-month"],
                    "a missed call in the second of the caller's last answered call is not returned by it")

            let deadAir = try await onThread { [try reader.deadAirCalls(CallQuery(), thresholdMs: 3000), try reader.deadAirCalls(CallQuery(), thresholdMs: 4000)] }
            #expect(deadAir[0].map { "\($0.id) \($0.innerMs) \($0.atMs)" } == ["\(ids["a"]!) 4000 5000"],
                    "edge silences left out; of two 4 s silences the first")
            #expect(deadAir[1].isEmpty, "longest_silence_ms must exceed the threshold")
        }
    }

    @Test("the call-back list over more candidate calls than one fetch takes (batches of 256, 512, …; seconds shared by several callers and two calls of one caller in a second): the same pages as the seek per missed call")
    func manyUnreturnedCalls() async throws {
        let records = try Self.records()
        let now = now
        try await PostgresTestServer.withIndex { index in
            try await onThread { try PostgresTestServer.ingest(records, into: index, now: now) }
            // 1,200 copies of a call: 331 callers, 24 calls a second (a fetch's boundary falls
            // inside a second), ids falling as callers rise, one in eleven answered, one in five
            // in campaign B; every fiftieth with a twin of the same caller and second.
            let template = records[0].id
            _ = try await index.query("copies", """
                INSERT INTO calls SELECT (jsonb_populate_record(c, jsonb_build_object(
                    'id', x.id, 'call_id', x.id, 'archive_path', x.id || '.opus', 'caller', '+1917555' || lpad(CAST(g % 331 AS text), 4, '0'),
                    'started_at', to_char(TIMESTAMP '2026-11-25 00:00:00' + (g / 24) * INTERVAL '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'outcome', CASE WHEN g % 11 = 0 THEN 'answered' WHEN g % 3 = 0 THEN 'abandoned' ELSE 'missed' END,
                    'campaign', CASE WHEN g % 5 = 0 THEN 'B' ELSE 'A' END))).*
                FROM calls c, generate_series(1, 1200) g, LATERAL (SELECT 'u' || lpad(CAST(5000 - g AS text), 5, '0') AS id UNION ALL
                    SELECT 'v' || lpad(CAST(5000 - g AS text), 5, '0') WHERE g % 50 = 0) x
                WHERE c.id = \(template)
                """)
            let reader = PostgresReportSource(index: index)
            let bounds: [(Date?, Date?)] = [(nil, nil), (Timestamp.parseInstant("2026-11-25T00:00:10Z"), Timestamp.parseInstant("2026-11-25T00:00:45Z"))]
            let counts = try await Self.expectUnreturnedAsScan(reader, bounds: bounds, limits: [0, 1, 300, 700])
            #expect((counts.max() ?? 0) > 800, "the whole list longer than three pages' fetches: \(counts)")
        }
    }

    /// `--unreturned` against `--exact-scan` for each period of `bounds`, without and with
    /// campaign B, at each limit: the same calls in the same order, and whether more follow.
    /// Returns the lengths of the lists.
    @discardableResult
    static func expectUnreturnedAsScan(_ reader: PostgresReportSource, bounds: [(Date?, Date?)], limits: [Int]) async throws -> [Int] {
        var counts: [Int] = []
        for (since, until) in bounds {
            for campaign in [nil, "B"] {
                var query = CallQuery()
                query.since = since
                query.until = until
                if let campaign { query.campaigns = [campaign] }
                let q = query
                for limit in limits {
                    let (fast, scan) = try await onThread {
                        (try reader.missedCalls(q, unreturnedOnly: true, limit: limit, exactScan: false),
                         try reader.missedCalls(q, unreturnedOnly: true, limit: limit, exactScan: true))
                    }
                    let context = "since \(since.map(Timestamp.format) ?? "-"), until \(until.map(Timestamp.format) ?? "-"), campaign \(campaign ?? "-"), limit \(limit)"
                    #expect(fast.calls.map(\.id) == scan.calls.map(\.id) && fast.more == scan.more, "\(context)")
                    #expect(fast.calls.allSatisfy { $0.answeredAt == nil })
                    counts.append(fast.calls.count)
                }
            }
        }
        return counts
    }

    @Test("call-backs and the caller directory: none while the tables are empty; then read, the requests filtered by time and campaign")
    func callbacksAndDirectory() async throws {
        let records = try Self.records()
        let d = try #require(records.first { $0.callID == "d" })
        let now = now
        try await PostgresTestServer.withIndex { index in
            try await onThread { try PostgresTestServer.ingest([d], into: index, now: now) }
            _ = try await index.query("call-back", """
                UPDATE calls SET direction = 'outbound', attribution = '{"method":"callback","request_id":"r1"}' WHERE call_id = 'd'
                """)
            let reader = PostgresReportSource(index: index)
            let before = try await onThread {
                (try reader.callbackRequests(since: nil, until: nil, campaigns: []).count, try reader.directoryEntries(for: ["+12125550102"]).count)
            }
            #expect(before == (0, 0))
            #expect(try await onThread { try reader.callbackLinks() } == ["r1": CallbackLink(firstStartedAt: "2026-11-22T08:00:00Z", answered: true)])

            for statement in [
                // The tables of pg-v4/pg-v5 (`directory import`, `web import-callbacks`), filled directly.
                """
                INSERT INTO callback_requests (request_id, phone, requested_at, utm_campaign, imported_at, imported_from)
                VALUES ('r1', '+12125550102', '2026-11-22T07:50:00Z', 'winter', 'now', 't'), ('r2', '+12125550102', '2026-11-23T07:00:00Z', 'summer', 'now', 't'),
                       ('r3', '+12125550102', '2026-11-21T07:00:00Z', 'winter', 'now', 't')
                """,
                """
                INSERT INTO caller_directory (number, name, city, imported_at, imported_from)
                VALUES ('+12125550102', 'Ada', 'New York', 'now', 't'), ('+12125550199', 'Bob', NULL, 'now', 't')
                """,
            ] {
                _ = try await index.query("setting up", PostgresQuery(unsafeSQL: statement))
            }
            let after = try await onThread { () -> ([String], [String], [String: CallerDirectoryEntry]) in
                let all = try reader.callbackRequests(since: nil, until: nil, campaigns: []).map { "\($0.id) \($0.requestedAt)" }.sorted()
                let some = try reader.callbackRequests(since: Timestamp.parseInstant("2026-11-22T00:00:00Z"), until: Timestamp.parseInstant("2026-11-23T07:00:00Z"),
                                                       campaigns: ["winter", "autumn"]).map(\.id)
                return (all, some, try reader.directoryEntries(for: ["+12125550102", "+12125550100"]))
            }
            #expect(after.0 == ["r1 2026-11-22T07:50:00Z", "r2 2026-11-23T07:00:00Z", "r3 2026-11-21T07:00:00Z"])
            #expect(after.1 == ["r1"], "since inclusive, until exclusive, campaign among those given")
            #expect(after.2 == ["+12125550102": CallerDirectoryEntry(number: "+12125550102", name: "Ada", city: "New York")])
        }
    }
}
