import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultWorker
import CallVaultTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL store: the worker's ingest steps, synchronous over the async client", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresQueueStoreTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("a call committed through the ingest steps reads back equal to the same call on SQLite, attributed by the same registry row")
    func sameRecordAsSQLite() async throws {
        var sample = try StoreFixture.record(callID: "same-1")
        sample.redactions = [Redaction(startMs: 1000, endMs: 2000, channel: nil, reason: Redaction.requested)]
        let record = sample
        let sqlite = try StoreFixture()
        defer { sqlite.remove() }
        let sqliteQueue = JobQueue(index: sqlite.index)
        try await sqlite.index.pool.write { db in
            try db.execute(sql: """
                INSERT INTO registry (tracking_number, campaign, source, imported_at, metadata) VALUES ('+14155550100', 'Spring', 'google', 'x', '{}')
                """)
        }
        try #require(try sqlite.ingest(record, queue: sqliteQueue, now: now) != nil)
        let expected = try #require(try sqlite.index.call(id: record.id))
        #expect(expected.campaign == "Spring" && expected.callAttribution.method == .number)

        let now = now
        try await PostgresTestServer.withIndex { index in
            _ = try await index.query("registry", """
                INSERT INTO registry (tracking_number, campaign, source, imported_at, metadata) VALUES ('+14155550100', 'Spring', 'google', 'x', '{}')
                """)
            let store = PostgresQueueStore(index: index, leaseSeconds: 60)
            let (result, state, read) = try await onThread { () -> (CommitResult, Job.State?, CallRecord?) in
                _ = try store.enqueue([SpoolArrival(stem: "same-1", audioName: "same-1.wav")], now: now) { _ in true }
                guard let job = try store.claim(owner: "me", now: now) else { return (.leaseLost, nil, nil) }
                let result = try IngestTransaction.commit(record, job: job, owner: "me", retention: nil, now: now, in: store)
                return (result, try store.job(stem: "same-1")?.state, try store.call(id: record.id))
            }
            #expect(result == .committed && state == .archived)
            var got = try #require(read)
            #expect(got.registryID != nil)
            got.registryID = expected.registryID  // each index numbers its registry rows
            #expect(got == expected)
            let audit = try await PostgresAuditLog(index: index).entries()
            #expect(audit.map(\.action) == ["redaction"] && audit.first?.ids == [record.id])
        }
    }

    @Test("a failing step rolls the whole ingest transaction back; a lost lease commits nothing; a second commit of the call is refused")
    func rollbackAndRefusals() async throws {
        let record = try StoreFixture.record(callID: "roll-1")
        let now = now
        try await PostgresTestServer.withIndex { index in
            let store = PostgresQueueStore(index: index, leaseSeconds: 60)
            struct Boom: Error {}
            let seen = try await onThread { () -> [String] in
                var seen: [String] = []
                _ = try store.enqueue([SpoolArrival(stem: "roll-1", audioName: "roll-1.wav")], now: now) { _ in true }
                guard let job = try store.claim(owner: "me", now: now) else { return ["no job claimed"] }
                do {
                    try store.inTransaction { tx in
                        try store.insertArchived(record, job: job, now: now, tx)
                        throw Boom()
                    }
                    seen.append("committed despite the error")
                } catch is Boom {
                    seen.append("rolled back")
                }
                seen.append("call after rollback: \(try store.call(id: record.id) == nil ? "none" : "present")")
                seen.append("job: \(try store.job(stem: "roll-1")?.state.rawValue ?? "?")")
                seen.append("other owner: \(try IngestTransaction.commit(record, job: job, owner: "someone else", retention: nil, now: now, in: store))")
                seen.append("call after lost lease: \(try store.call(id: record.id) == nil ? "none" : "present")")
                seen.append("owner: \(try IngestTransaction.commit(record, job: job, owner: "me", retention: nil, now: now, in: store))")
                seen.append("again: \(try IngestTransaction.commit(record, job: job, owner: "me", retention: nil, now: now, in: store))")
                seen.append("calls: \(try store.callCount())")
                return seen
            }
            #expect(seen == ["rolled back", "call after rollback: none", "job: running", "other owner: leaseLost", "call after lost lease: none",
                             "owner: committed", "again: alreadyArchived", "calls: 1"])
        }
    }

    @Test("a scan racing a worker on a shared spool: a pair whose job finishes while the scan looks is not queued again (it would be quarantined as gone); a finished pair whose files are back is")
    func scanRacingFinish() async throws {
        let now = now
        try await PostgresTestServer.withIndex { index in
            let store = PostgresQueueStore(index: index, leaseSeconds: 60, spool: "shared")
            let seen = try await onThread { () -> [String] in
                let a = SpoolArrival(stem: "a", audioName: "a.wav")
                var seen = ["queued: \(try store.enqueue([a], now: now) { _ in true })"]
                guard let job = try store.claim(owner: "w1", now: now) else { return ["no job claimed"] }
                // Another machine's scan finds a.json and a.wav while w1 finishes the job: w1 removes
                // them and marks the job done just after the scan looked (if it looks: found, true),
                // or just after the scan.
                var finished = false
                let racing = try store.enqueue([a], now: now) { _ in
                    finished = (try? store.markDone(job, owner: "w1", recordID: "r1", note: nil, now: now)) != nil
                    return true
                }
                if !finished { try store.markDone(job, owner: "w1", recordID: "r1", note: nil, now: now) }
                seen.append("queued while finishing: \(racing), job \(try store.job(stem: "a")?.state.rawValue ?? "?")")
                // A later scan: the files are gone, then a new delivery under the same stem.
                seen.append("files gone: \(try store.enqueue([a], now: now.addingTimeInterval(1)) { _ in false })")
                seen.append("new delivery: \(try store.enqueue([a], now: now.addingTimeInterval(2)) { _ in true }), job \(try store.job(stem: "a")?.state.rawValue ?? "?")")
                return seen
            }
            #expect(seen == ["queued: 1", "queued while finishing: 0, job done", "files gone: 0", "new delivery: 1, job pending"])
        }
    }
}
