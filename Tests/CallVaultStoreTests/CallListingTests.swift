import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Call listing: the search page's short rows")
struct CallListingTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("listing gives the same calls, order, page, total and fields as run")
    func sameAsRun() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let outcomes: [Outcome] = [.answered, .missed, .abandoned]
        for i in 0..<12 {
            let caller: String? = i % 5 == 4 ? nil : "+1212555\(String(format: "%04d", 100 + i % 3))"
            let record = try StoreFixture.record(callID: "call-\(i)", caller: caller,
                                                 startedAt: "2026-11-\(10 + i % 7)T1\(i % 10):00:00Z", outcome: outcomes[i % 3])
            try f.ingest(record, queue: queue, now: t0)
        }
        try f.index.pool.write { db in
            try db.execute(sql: "UPDATE calls SET campaign = 'Spring', caller_place = 'New York, NY' WHERE call_id IN ('call-1', 'call-2', 'call-7')")
        }
        for (sort, ascending, offset) in [(CallQuery.Sort.startedAt, false, 0), (.startedAt, true, 5), (.duration, false, 10)] {
            var q = CallQuery()
            q.sort = sort
            q.ascending = ascending
            q.limit = 5
            q.offset = offset
            let full = try q.run(f.index)
            let short = try q.listing(f.index)
            #expect(short.total == full.total)
            #expect(short.total == 12)
            #expect(short.rows.map(\.id) == full.records.map(\.id))
            for (row, record) in zip(short.rows, full.records) {
                #expect(row.startedAt == record.startedAt)
                #expect(row.startedAtUTC == IndexTime.text(record.startedAt))
                #expect(row.campaign == record.campaign)
                #expect(row.caller == record.caller)
                #expect(row.callerPlace == record.callerPlace)
                #expect(row.trackingNumber == record.trackingNumber)
                #expect(row.outcome == record.outcome)
                #expect(row.durationMs == record.durationMs)
                #expect(row.talkMs == record.talkMs)
            }
        }
        var spring = CallQuery()
        spring.campaigns = ["Spring"]
        let rows = try spring.listing(f.index).rows
        #expect(Set(rows.map(\.campaign)) == ["Spring"])
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.callerPlace == "New York, NY" })
    }

    @Test("several campaigns by time, merged from one range each: the same page as the whole sorted list (ties in a second across campaigns, a campaign named twice, another filter, every page edge)")
    func severalCampaignsMerged() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let outcomes: [Outcome] = [.answered, .missed, .abandoned]
        for i in 0..<60 {
            // Two calls a minute, so seconds are shared across campaigns.
            let record = try StoreFixture.record(callID: "call-\(i)", caller: "+1212555\(String(format: "%04d", i % 7))",
                                                 startedAt: "2026-11-10T10:\(String(format: "%02d", i / 2)):00Z", outcome: outcomes[i % 3])
            try f.ingest(record, queue: queue, now: t0)
        }
        try f.index.pool.write { db in
            try db.execute(sql: "UPDATE calls SET campaign = CASE CAST(substr(call_id, 6) AS INTEGER) % 4 WHEN 0 THEN 'A' WHEN 1 THEN 'B' WHEN 2 THEN 'C' ELSE NULL END")
        }
        for campaigns in [["A", "B"], ["C", "A", "B"], ["A", "A", "C"], ["B", "nobody"]] {
            for (ascending, outcome) in [(false, nil), (true, nil), (false, Outcome.missed)] {
                var all = CallQuery()
                all.campaigns = campaigns
                all.ascending = ascending
                all.outcome = outcome
                all.limit = 0
                let whole = try all.run(f.index).records.map(\.id)
                #expect(whole.count >= 5)
                for (limit, offset) in [(1, 0), (5, 0), (5, 3), (7, 14), (100, 0), (10, whole.count - 2), (10, whole.count + 5)] {
                    var page = all
                    page.limit = limit
                    page.offset = offset
                    let expected = Array(whole.dropFirst(offset).prefix(limit))
                    let run = try page.run(f.index), listing = try page.listing(f.index)
                    let context = "\(campaigns) ascending \(ascending) \(outcome?.rawValue ?? "-") limit \(limit) offset \(offset)"
                    #expect(run.records.map(\.id) == expected, "\(context)")
                    #expect(listing.rows.map(\.id) == expected, "\(context)")
                    #expect(run.total == whole.count && listing.total == whole.count, "\(context)")
                }
            }
        }
    }

    @Test("a started_at that does not parse is an error naming the call")
    func unreadableTime() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        try f.ingest(try StoreFixture.record(callID: "bad"), queue: JobQueue(index: f.index), now: t0)
        // The report triggers refuse such a time; a value written around them (a hand edit, an
        // old tool) must still be an error when read, not a crash or a silent default.
        try f.index.pool.write { db in
            try db.execute(sql: "DROP TRIGGER report_calls_update")
            try db.execute(sql: "DROP TRIGGER report_dimension_calls_update")
            try db.execute(sql: "UPDATE calls SET started_at = 'yesterday'")
        }
        var q = CallQuery()
        q.limit = 0
        let error = #expect(throws: IndexError.self) { try q.listing(f.index) }
        #expect(error.map { "\($0)" }?.contains(RecordID.make(callID: "bad")) == true)
    }
}
