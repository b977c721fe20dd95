import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Retention's and verify's operations on the index (RetentionIndex, VerifyIndex)")
struct RetentionIndexTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)
    let short = RetentionPolicy(rules: [.init(name: "short", keepAudioDays: 1, keepRecordDays: 3)])

    func at(_ text: String) throws -> Date { try #require(Timestamp.parseInstant(text)) }

    /// "changed policyChanged", comparable in one expectation.
    func words(_ result: (changed: Int, policyChanged: Bool)) -> String { "\(result.changed) \(result.policyChanged)" }

    @Test("recompute dates every call from the policy, records and audits the policy once; a dry run writes nothing")
    func recompute() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "a")
        try f.ingest(record, queue: JobQueue(index: f.index), now: t0)
        let retention = RetentionIndex(index: f.index)
        #expect(try words(retention.recompute(short, dryRun: true)) == "1 false")
        #expect(try f.index.call(id: record.id)?.retentionRule == nil)
        #expect(try words(retention.recompute(short, extraDetails: ["simulated_now": "x"])) == "1 false")
        let stored = try #require(try f.index.call(id: record.id))
        #expect(stored.retentionRule == "short" && stored.retainAudioUntil.map(IndexTime.text) == "2026-11-21T14:00:00Z")
        #expect(try words(retention.recompute(short)) == "0 false")
        let longer = RetentionPolicy(rules: [.init(name: "long", keepAudioDays: 10, keepRecordDays: 30)])
        #expect(try words(retention.recompute(longer)) == "1 true")
        let audit = try AuditLog(index: f.index).entries()
        #expect(audit.map(\.action) == ["policy_set", "policy_changed"])
        #expect(audit.first?.details["simulated_now"] == "x")
    }

    @Test("recompute refuses a call whose started_at is not a time, naming the call, and changes nothing")
    func recomputeUnparseableStart() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let good = try StoreFixture.record(callID: "good")
        let bad = try StoreFixture.record(callID: "bad", startedAt: "2026-11-21T14:00:00Z")
        let queue = JobQueue(index: f.index)
        try f.ingest(good, queue: queue, now: t0)
        try f.ingest(bad, queue: queue, now: t0)
        try f.index.pool.write { db in
            try db.execute(sql: "UPDATE calls SET started_at = '2026-11-21 14:00:00' WHERE id = ?", arguments: [bad.id])
        }
        let error = #expect(throws: IndexError.self) { try RetentionIndex(index: f.index).recompute(short) }
        #expect(error?.message.contains("call \(bad.id)") == true)
        #expect(error?.message.contains("\"2026-11-21 14:00:00\"") == true)
        #expect(try f.index.call(id: good.id)?.retentionRule == nil, "the transaction rolled back")
        #expect(try AuditLog(index: f.index).entries().isEmpty)
    }

    @Test("due lists what has passed its dates; the audio is marked purged and audited, then the record deleted; a second try finds it gone")
    func dueThenDeletions() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "a")
        try f.ingest(record, queue: JobQueue(index: f.index), retention: short, now: t0)
        let retention = RetentionIndex(index: f.index)
        #expect(try retention.due(at: at("2026-11-21T13:59:59Z")).calls.isEmpty)
        let audioDue = try retention.due(at: at("2026-11-22T00:00:00Z"))
        let call = try #require(audioDue.calls.first)
        #expect(audioDue.held == 0 && audioDue.calls.count == 1)
        #expect(call.id == record.id && !call.recordDue && call.audioPresent && call.rule == "short" && call.until == "2026-11-21T14:00:00Z")
        #expect(call.archivePath == record.archivePath && call.bytes == 100 && call.outcome == .answered)
        let now = try at("2026-11-22T00:00:00Z")
        #expect(try retention.markAudioPurged(id: call.id, callID: call.callID, sha256: call.sha256, archivePath: call.archivePath,
                                              policy: short, now: now) == .due(rule: "short", until: "2026-11-21T14:00:00Z"))
        #expect(try retention.markAudioPurged(id: call.id, callID: call.callID, sha256: call.sha256, archivePath: call.archivePath,
                                              policy: short, now: now) == .gone)
        #expect(try retention.purgedArchivePaths() == [record.archivePath])
        #expect(try f.index.call(id: record.id)?.audioPurgedAt == now)

        let later = try at("2026-11-24T00:00:00Z")
        let recordDue = try #require(try retention.due(at: later).calls.first)
        #expect(recordDue.recordDue && !recordDue.audioPresent && recordDue.until == "2026-11-23T14:00:00Z")
        #expect(try retention.deleteRecord(id: recordDue.id, callID: recordDue.callID, startedAt: recordDue.startedAt,
                                           sha256: recordDue.sha256, policy: nil, now: later) == .due(rule: "short", until: "2026-11-23T14:00:00Z"))
        #expect(try f.index.call(id: record.id) == nil)
        #expect(try AuditLog(index: f.index).entries().map(\.action) == ["audio_deleted", "record_deleted"])
    }

    @Test("a deletion judged by a longer policy than planned is not made, and the call's new dates are stored")
    func recheckNoLongerDue() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let record = try StoreFixture.record(callID: "a")
        try f.ingest(record, queue: JobQueue(index: f.index), retention: short, now: t0)
        let longer = RetentionPolicy(rules: [.init(name: "long", keepAudioDays: 10, keepRecordDays: 30)])
        let retention = RetentionIndex(index: f.index)
        #expect(try retention.markAudioPurged(id: record.id, callID: record.callID, sha256: record.sha256, archivePath: record.archivePath,
                                              policy: longer, now: at("2026-11-22T00:00:00Z")) == .notDue)
        let stored = try #require(try f.index.call(id: record.id))
        #expect(stored.audioPurgedAt == nil && stored.retentionRule == "long")
        #expect(try retention.purgedArchivePaths().isEmpty)
    }

    @Test("verify reads each call's file, purged or not, a file's expected path, and the audit log's size")
    func verifyIndex() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let a = try StoreFixture.record(callID: "a"), b = try StoreFixture.record(callID: "b", startedAt: "2026-11-22T09:00:00Z")
        let queue = JobQueue(index: f.index)
        try f.ingest(a, queue: queue, retention: short, now: t0)
        try f.ingest(b, queue: queue, now: t0)
        _ = try RetentionIndex(index: f.index).markAudioPurged(id: a.id, callID: a.callID, sha256: a.sha256, archivePath: a.archivePath,
                                                                policy: nil, now: at("2026-11-22T00:00:00Z"))
        let verify = VerifyIndex(index: f.index)
        let all = try verify.archivedFiles(since: nil, sample: nil).sorted { $0.id < $1.id }
        #expect(Set(all.map(\.id)) == [a.id, b.id])
        #expect(all.first { $0.id == a.id }?.purged == true && all.first { $0.id == b.id }?.purged == false)
        #expect(all.first { $0.id == b.id }?.sha256 == b.sha256)
        #expect(try verify.archivedFiles(since: at("2026-11-21T00:00:00Z"), sample: nil).map(\.id) == [b.id])
        #expect(try verify.archivedFiles(since: nil, sample: 1).count == 1)
        #expect(try verify.archivePath(ofCall: b.id) == b.archivePath)
        #expect(try verify.archivePath(ofCall: "nobody") == nil)
        #expect(try verify.auditEntryCount() == 1)
    }
}
