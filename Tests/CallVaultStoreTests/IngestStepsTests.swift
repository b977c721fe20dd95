import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("The ingest transaction's steps, composed as the worker composes them")
struct IngestStepsTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    /// A registry row for the fixture's tracking number, valid from 2026-11-01.
    func register(_ f: StoreFixture, campaign: String) throws {
        try f.index.pool.write { db in
            try db.execute(sql: """
                INSERT INTO registry (tracking_number, campaign, source, medium, valid_from, valid_to, line, imported_at)
                VALUES ('+14155550100', ?, 'google', 'cpc', '2026-11-01T00:00:00Z', NULL, 2, '2026-11-01T00:00:00Z')
                """, arguments: [campaign])
        }
    }

    @Test("one transaction: the call is attributed, then stamped by a rule naming its campaign, inserted, and its job archived")
    func composedSteps() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        try register(f, campaign: "Legal-Intake")
        let queue = JobQueue(index: f.index)
        let policy = RetentionPolicy(rules: [
            .init(name: "legal", campaign: "Legal-Intake", keepAudioDays: 10, keepRecordDays: 20),
            .init(name: "default", keepAudioDays: 1, keepRecordDays: 2),
        ])
        let record = try StoreFixture.record(callID: "a")
        let job = try #require(try f.ingest(record, queue: queue, retention: policy, now: t0))
        let stored = try #require(try queue.call(id: record.id))
        #expect(stored.attribution == .init(campaign: "Legal-Intake", source: "google", medium: "cpc", registryID: 1))
        #expect(stored.retentionRule == "legal")
        #expect(stored.retainAudioUntil.map(IndexTime.text) == "2026-11-30T14:00:00Z")
        #expect(stored.retainRecordUntil.map(IndexTime.text) == "2026-12-10T14:00:00Z")
        let archived = try #require(try queue.job(stem: "a"))
        #expect(archived.id == job.id && archived.state == .archived && archived.recordID == record.id)
    }

    @Test("without a policy the record has no retention dates (retention apply fills them later)")
    func noPolicyNoDates() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let record = try StoreFixture.record(callID: "a")
        try f.ingest(record, queue: queue, now: t0)
        let stored = try #require(try queue.call(id: record.id))
        #expect(stored.retention == .init(audioUntil: nil, recordUntil: nil, rule: nil))
        #expect(stored.attribution == .none)
    }

    @Test("a lost lease or a call already archived refuses the commit before any step writes")
    func refusals() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index, leaseSeconds: 60)
        let record = try StoreFixture.record(callID: "a")
        _ = try queue.enqueue([.init(stem: "a", audioName: "a.wav"), .init(stem: "a-again", audioName: "a-again.wav")], now: t0) { _ in true }
        let job = try #require(try queue.claim(owner: "w1", now: t0))
        #expect(try StoreFixture.commit(record, job: job, owner: "w2", queue: queue, now: t0) == .leaseLost)
        #expect(try queue.call(id: record.id) == nil)
        #expect(try StoreFixture.commit(record, job: job, owner: "w1", queue: queue, now: t0) == .committed)
        let again = try #require(try queue.claim(owner: "w1", now: t0))
        #expect(try StoreFixture.commit(record, job: again, owner: "w1", queue: queue, now: t0) == .alreadyArchived)
        #expect(try queue.job(stem: "a-again")?.state == .running, "the duplicate's job is left as it was")
    }

    @Test("a step that throws rolls the whole transaction back: no record, the job still running")
    func throwingStepRollsBack() throws {
        struct Interrupted: Error {}
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        let record = try StoreFixture.record(callID: "a")
        _ = try queue.enqueue([.init(stem: "a", audioName: "a.wav")], now: t0) { _ in true }
        let job = try #require(try queue.claim(owner: "w1", now: t0))
        #expect(throws: Interrupted.self) {
            try queue.inTransaction { db in
                var r = record
                try queue.linkAttribution(&r, db)
                try queue.insertArchived(r, job: job, now: t0, db)
                throw Interrupted()
            }
        }
        #expect(try queue.call(id: record.id) == nil)
        #expect(try queue.job(stem: "a")?.state == .running)
    }
}
