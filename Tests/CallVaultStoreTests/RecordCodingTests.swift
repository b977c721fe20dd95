import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Typed records: outcome and times through the index")
struct RecordCodingTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("every outcome goes into the index as its raw value and comes back as itself", arguments: Outcome.allCases)
    func outcomeRoundTrip(outcome: Outcome) throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "o-\(outcome.rawValue)", outcome: outcome)
        try f.index.pool.write { db in try record.insert(db) }
        let text = try f.index.pool.read { db in try String.fetchOne(db, sql: "SELECT outcome FROM calls WHERE id = ?", arguments: [record.id]) }
        #expect(text == outcome.rawValue)
        #expect(try f.index.call(id: record.id) == record)
        let bound = try f.index.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE outcome = ?", arguments: [outcome]) }
        #expect(bound == 1)
    }

    @Test("an outcome the index should never hold is an error naming the call, not a default")
    func unknownOutcomeIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "bad")
        try f.index.pool.write { db in
            try record.insert(db)
            try db.execute(sql: "UPDATE calls SET outcome = 'hung-up' WHERE id = ?", arguments: [record.id])
        }
        let error = try #require(throws: IndexError.self) { try f.index.call(id: record.id) }
        #expect(error.message.contains(record.id) && error.message.contains("\"hung-up\""))
        let rowError = try #require(throws: IndexError.self) {
            try f.index.pool.read { db in try Row.fetchOne(db, sql: "SELECT id, outcome FROM calls")?.outcome() }
        }
        #expect(rowError.message.contains(record.id))
        #expect(throws: IndexError.self) { try Outcome.stored("ANSWERED", call: "c1") }
        #expect(try Outcome.stored("missed", call: "c1") == .missed)
    }

    @Test("times are stored as the first release wrote them: UTC, whole seconds, at most 9999-12-31T23:59:59Z, forever as 4001-01-01")
    func timesKeepTheirText() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var record = try StoreFixture.record(callID: "t", startedAt: "2026-11-20T09:00:00.750-05:00")
        record.retention = .init(audioUntil: IndexTime.stored(Date(timeIntervalSince1970: 300_000_000_000)),
                                 recordUntil: IndexTime.stored(t0), rule: "r")
        record.audioPurgedAt = IndexTime.stored(.distantFuture)
        try f.index.pool.write { db in try record.insert(db) }
        let row = try #require(try f.index.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT started_at, ingested_at, retain_audio_until, retain_record_until, audio_purged_at FROM calls")
        })
        #expect(row["started_at"] as String == "2026-11-20T14:00:00Z")
        #expect(row["ingested_at"] as String == "2026-11-20T14:00:00Z")
        #expect(row["retain_audio_until"] as String == "9999-12-31T23:59:59Z")
        #expect(row["retain_record_until"] as String == Timestamp.format(t0))
        #expect(row["audio_purged_at"] as String == "4001-01-01T00:00:00Z")
        #expect(try f.index.call(id: record.id) == record)
    }

    @Test("a time that does not parse is an error naming the call and the column")
    func unparseableTimeIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "bad-time")
        try f.index.pool.write { db in
            try record.insert(db)
            try db.execute(sql: "UPDATE calls SET audio_purged_at = 'yesterday' WHERE id = ?", arguments: [record.id])
        }
        let error = try #require(throws: IndexError.self) { try f.index.call(id: record.id) }
        #expect(error.message.contains(record.id) && error.message.contains("audio_purged_at"))
    }
}
