import CallVaultStore
import Foundation
import Testing

@Suite("Job leases in the index")
struct LeaseTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("a claimed job is nobody else's until its lease expires; then it is taken over, and the first holder can no longer renew or commit")
    func takeover() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index, leaseSeconds: 60)
        #expect(try queue.enqueue([.init(stem: "a", audioName: "a.wav")], now: t0) { _ in true } == 1)
        let first = try #require(try queue.claim(owner: "w1", now: t0))
        #expect(try queue.claim(owner: "w2", now: t0.addingTimeInterval(59)) == nil)
        #expect(try queue.renew(first, owner: "w1", now: t0.addingTimeInterval(30)))
        #expect(try queue.claim(owner: "w2", now: t0.addingTimeInterval(89)) == nil, "renewed at +30 s: valid until +90 s")
        let second = try #require(try queue.claim(owner: "w2", now: t0.addingTimeInterval(91)))
        #expect(second.id == first.id && second.claims == 2)
        #expect(try !queue.renew(first, owner: "w1", now: t0.addingTimeInterval(92)))
        let record = try StoreFixture.record(callID: "a")
        #expect(try StoreFixture.commit(record, job: first, owner: "w1", queue: queue, now: t0.addingTimeInterval(93)) == .leaseLost)
        #expect(try StoreFixture.commit(record, job: second, owner: "w2", queue: queue, now: t0.addingTimeInterval(93)) == .committed)
        #expect(try f.index.call(id: record.id)?.callID == "a")
    }

    @Test("enqueueing the same stem twice queues it once")
    func enqueueOnce() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        #expect(try queue.enqueue([.init(stem: "a", audioName: "a.wav")], now: t0) { _ in true } == 1)
        #expect(try queue.enqueue([.init(stem: "a", audioName: "a.wav")], now: t0) { _ in true } == 0)
        #expect(try queue.unfinishedCount() == 1)
    }
}
