import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Redactions in the index: stored, always printed, queried, audited")
struct RedactionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    /// A call whose archive had two key presses and a requested span silenced, and whose sidecar
    /// note held a card number (built from a real sidecar parse, as ingest builds it).
    private func redactedRecord() throws -> CallRecord {
        var record = try StoreFixture.record(callID: "pci")
        record.redactions = [Redaction(startMs: 4960, endMs: 5380, channel: 1, reason: "dtmf"),
                             Redaction(startMs: 9000, endMs: 12000, channel: nil, reason: "requested")]
        record.dtmfTonesMasked = 2
        let sidecar = try Sidecar.parse(Data(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "metadata": {"note": "4111 1111 1111 1111"}}"#.utf8))
        record.redactedFields = sidecar.redactedFields
        record.metadata = sidecar.metadata
        return record
    }

    private func json(_ record: CallRecord) throws -> [String: Any] {
        let data = try JSONEncoder().encode(record.output(archiveRoot: "/a", holds: [], directory: nil))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("stored and read back as they were; every record prints redactions, dtmf_tones_masked and redacted_fields")
    func roundTrip() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let redacted = try redactedRecord()
        let plain = try StoreFixture.record(callID: "plain")
        try f.ingest(redacted, queue: queue, now: t0)
        try f.ingest(plain, queue: queue, now: t0)
        let stored = try #require(try f.index.call(id: redacted.id))
        #expect(stored.redactions == redacted.redactions && stored.dtmfTonesMasked == 2)
        #expect(stored.redactedFields == ["metadata.note"] && stored.metadata == ["note": "[redacted-pan]"])
        let out = try json(stored)
        let spans = try #require(out["redactions"] as? [[String: Any]])
        #expect(spans.count == 2)
        #expect(spans[0]["channel"] as? Int == 1 && spans[0]["reason"] as? String == "dtmf" && spans[0]["start_ms"] as? Int == 4960)
        #expect(spans[1]["channel"] is NSNull && spans[1]["reason"] as? String == "requested" && spans[1]["end_ms"] as? Int == 12000)
        #expect(out["dtmf_tones_masked"] as? Int == 2)
        let none = try json(try #require(try f.index.call(id: plain.id)))
        #expect((none["redactions"] as? [Any])?.isEmpty == true)
        #expect(none["dtmf_tones_masked"] as? Int == 0)
        #expect((none["redacted_fields"] as? [Any])?.isEmpty == true)
        let row = try #require(try f.index.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT redactions, dtmf_tones_masked, redacted_fields FROM calls WHERE id = ?", arguments: [plain.id])
        })
        #expect(row["redactions"] as String == "[]" && row["dtmf_tones_masked"] as Int == 0 && row["redacted_fields"] as String == "[]")
    }

    @Test("query --redacted: the calls with a span silenced or a card number replaced, and no other")
    func query() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let redacted = try redactedRecord()
        var fieldOnly = try StoreFixture.record(callID: "field-only")
        fieldOnly.redactedFields = ["caller_name"]
        try f.ingest(redacted, queue: queue, now: t0)
        try f.ingest(fieldOnly, queue: queue, now: t0)
        try f.ingest(try StoreFixture.record(callID: "plain"), queue: queue, now: t0)
        var q = CallQuery()
        q.redacted = true
        #expect(Set(try q.run(f.index).records.map(\.id)) == [redacted.id, fieldOnly.id])
        let plan = try f.index.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM calls \(q.whereClause().sql) ORDER BY started_at DESC").map { $0["detail"] as String }
        }
        #expect(plan.joined().contains("calls_redacted"), "\(plan)")
    }

    @Test("one audit entry per redacted call, in its ingest transaction: counts, spans and field names, no digits")
    func audited() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let redacted = try redactedRecord()
        try f.ingest(redacted, queue: queue, now: t0)
        try f.ingest(try StoreFixture.record(callID: "plain"), queue: queue, now: t0)
        let entries = try AuditLog(index: f.index).entries(since: nil, action: "redaction")
        try #require(entries.count == 1)
        let e = entries[0]
        #expect(e.ids == [redacted.id])
        #expect(e.reason == "2 DTMF key presses masked in 1 span; 1 requested span masked; card number replaced in 1 sidecar field")
        #expect(e.details == ["dtmf_tones_masked": "2", "span_count": "2", "fields": "metadata.note",
                              "spans": "dtmf 4960-5380 ms channel 1; requested 9000-12000 ms"])
        #expect(try AuditLog(index: f.index).firstBrokenLink() == nil)
        let everything = try f.index.pool.read { db in
            try String.fetchAll(db, sql: "SELECT details || reason || ids FROM audit") + String.fetchAll(db, sql: "SELECT metadata || redacted_fields || warnings FROM calls")
        }.joined()
        #expect(!everything.contains("4111"))
    }
}
