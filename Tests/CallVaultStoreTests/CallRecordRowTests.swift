import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

/// `CallRecord(row:)` reads a `calls` row by hand: the record the `Decodable` coding gave, with the
/// same defaults for columns an older index lacks or holds as NULL.
@Suite("A calls row read by hand")
struct CallRecordRowTests {
    @Test("a row without the columns later migrations added, or with them NULL, reads with the coding's defaults")
    func olderRows() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var r = try StoreFixture.record(callID: "old-1")
        r.registryID = 7
        r.callAttribution = .number
        r.redactions = [Redaction(startMs: 1, endMs: 2, channel: nil, reason: Redaction.requested)]
        r.channelActivity = [AudioAnalysis.Channel(index: 0, role: nil, activity: [Interval(startMs: 0, endMs: 5)])]
        let record = r
        try f.index.pool.write { db in try record.insert(db) }
        let later = ["channel_activity", "opus_sha256", "direction", "callee", "callback_request_id", "attribution",
                     "redactions", "dtmf_tones_masked", "redacted_fields"]
        try f.index.pool.read { db in
            let all = try #require(try Row.fetchOne(db, sql: "SELECT * FROM calls"))
            #expect(try CallRecord(row: all) == record)
            // The first release's columns only: what an index from before those migrations holds.
            let older = all.columnNames.filter { !later.contains($0) }
            let row = try #require(try Row.fetchOne(db, sql: "SELECT \(older.joined(separator: ", ")) FROM calls"))
            let old = try CallRecord(row: row)
            #expect(old.channelActivity == nil && old.opusSha256 == record.sha256 && old.direction == .inbound)
            #expect(old.callAttribution == .number, "a call with a registry row was attributed by number")
            #expect(old.redactions == [] && old.dtmfTonesMasked == 0 && old.redactedFields == [])
            #expect(old.silences == record.silences && old.metadata == record.metadata && old.startedAt == record.startedAt)
        }
        // NULLs where v10 and v11 left them for older calls.
        try f.index.pool.write { db in try db.execute(sql: "UPDATE calls SET channel_activity = NULL, opus_sha256 = NULL") }
        let nulls = try #require(try f.index.call(id: record.id))
        #expect(nulls.channelActivity == nil && nulls.opusSha256 == record.sha256)
    }

    @Test("a JSON column the index would never write is an error naming the call and the column")
    func badJSON() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "bad-json")
        try f.index.pool.write { db in
            try record.insert(db)
            try db.execute(sql: "UPDATE calls SET warnings = '[1,' WHERE id = ?", arguments: [record.id])
        }
        let error = try #require(throws: IndexError.self) { try f.index.call(id: record.id) }
        #expect(error.message.contains(record.id) && error.message.contains("warnings"))
    }
}
