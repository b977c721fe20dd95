import CallVaultPostgres
import CallVaultSettings
import Foundation
import Synchronization
import PostgresNIO
import Testing

@Suite("PostgreSQL job queue: SKIP LOCKED claims, leases, heartbeats, quarantine", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresJobQueueTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    private func arrivals(_ count: Int) -> [PostgresJobQueue.Arrival] {
        (0..<count).map { .init(stem: String(format: "call-%03d", $0), audioName: String(format: "call-%03d.wav", $0)) }
    }

    @Test("two machines (their own pools), four claimers each, never get the same job; every job is claimed once")
    func concurrentClaimers() async throws {
        try await PostgresTestServer.withDatabase { url, password in
            let jobs = 60
            try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                try await PostgresMigrator(index: index).migrate()
                #expect(try await PostgresJobQueue(index: index).enqueue(arrivals(jobs), now: t0) { _ in true } == jobs)
            }
            let now = t0
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { machines in
                for machine in 0..<2 {
                    machines.addTask {
                        try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                            let queue = PostgresJobQueue(index: index, leaseSeconds: 600)
                            return try await withThrowingTaskGroup(of: [Int64].self) { workers in
                                for worker in 0..<4 {
                                    workers.addTask {
                                        var mine: [Int64] = []
                                        while let job = try await queue.claim(owner: "m\(machine)-w\(worker)", now: now) {
                                            #expect(job.state == .running && job.claims == 1 && job.leaseOwner == "m\(machine)-w\(worker)")
                                            mine.append(job.id)
                                        }
                                        return mine
                                    }
                                }
                                var all: [Int64] = []
                                for try await ids in workers { all += ids }
                                return all
                            }
                        }
                    }
                }
                var all: [Int64] = []
                for try await ids in machines { all += ids }
                return all
            }
            #expect(claimed.count == jobs, "each job claimed exactly once")
            #expect(Set(claimed).count == jobs, "no job claimed twice")
        }
    }

    @Test("a job another transaction holds locked is skipped, not waited for (FOR UPDATE SKIP LOCKED)")
    func skipLocked() async throws {
        try await PostgresTestServer.withIndex { index in
            let queue = PostgresJobQueue(index: index, leaseSeconds: 60)
            try await queue.enqueue([.init(stem: "a", audioName: "a.wav"), .init(stem: "b", audioName: "b.wav")], now: t0) { _ in true }
            let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
            let logger = index.logger
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Another machine mid-transaction on job "a" (e.g. placing its file) for 3 s.
                    try await index.transaction("holding a") { connection in
                        _ = try await connection.query("SELECT id FROM jobs WHERE stem = 'a' FOR UPDATE", logger: logger).collect()
                        lockedSignal.yield()
                        try await Task.sleep(for: .seconds(3))
                    }
                }
                for await _ in locked { break }
                let job = try #require(try await queue.claim(owner: "w1", now: t0))
                // Waiting for the lock would have ended with "a" (the other transaction changes nothing).
                #expect(job.stem == "b", "the locked oldest job is skipped, not waited for")
                try await group.waitForAll()
            }
        }
    }

    @Test("a claimed job is nobody else's until its lease expires; then it is taken over, and the first holder can no longer renew or finish it")
    func takeover() async throws {
        try await PostgresTestServer.withIndex { index in
            let queue = PostgresJobQueue(index: index, leaseSeconds: 60)
            #expect(try await queue.enqueue([.init(stem: "a", audioName: "a.wav")], now: t0) { _ in true } == 1)
            let first = try #require(try await queue.claim(owner: "w1", now: t0))
            #expect(try await queue.claim(owner: "w2", now: t0.addingTimeInterval(59)) == nil)
            #expect(try await queue.renew(first, owner: "w1", now: t0.addingTimeInterval(30)))
            #expect(try await queue.claim(owner: "w2", now: t0.addingTimeInterval(89)) == nil, "renewed at +30 s: valid until +90 s")
            #expect(try await queue.nextClaimableAt() == t0.addingTimeInterval(90))
            let second = try #require(try await queue.claim(owner: "w2", now: t0.addingTimeInterval(91)))
            #expect(second.id == first.id && second.claims == 2 && second.leaseOwner == "w2")
            #expect(try await !queue.renew(first, owner: "w1", now: t0.addingTimeInterval(92)))
            var renamed = false
            #expect(try await !queue.placeArchiveFile(first, owner: "w1", recordID: "r", now: t0.addingTimeInterval(93)) { renamed = true })
            #expect(!renamed, "a stale holder's late rename never lands")
            try await queue.markDone(first, owner: "w1", recordID: "r", now: t0.addingTimeInterval(93))
            #expect(try await queue.job(stem: "a")?.state == .running, "the stale holder's finish changed nothing")
            #expect(try await queue.placeArchiveFile(second, owner: "w2", recordID: "r", now: t0.addingTimeInterval(94)) { renamed = true })
            #expect(renamed)
            try await queue.markDone(second, owner: "w2", recordID: "r", now: t0.addingTimeInterval(95))
            let done = try #require(try await queue.job(stem: "a"))
            #expect(done.state == .done && done.recordID == "r" && done.leaseOwner == nil)
            #expect(try await queue.unfinishedCount() == 0)
            #expect(try await queue.recordJobsFinished(recordID: "r"))
        }
    }

    @Test("a heartbeat keeps the lease while the work runs; once it stops, the lease expires and another worker takes the job")
    func heartbeat() async throws {
        try await PostgresTestServer.withIndex { index in
            // The heartbeat really sleeps and renews; the time it stamps is this test's clock, moved
            // by the work only after the beat at the current time has landed (no race with a loaded machine).
            let clock = TestClock(t0)
            let queue = PostgresJobQueue(index: index, leaseSeconds: 3)
            try await queue.enqueue([.init(stem: "long", audioName: "long.wav")], now: clock.now) { _ in true }
            let job = try #require(try await queue.claim(owner: "w1", now: clock.now))
            let contested = try await queue.withHeartbeat(job, owner: "w1", every: .milliseconds(20), now: { clock.now }) {
                var takenWhileHeld = 0
                for _ in 0..<10 {  // 10 s of work on the clock, beyond the 3 s lease
                    let renewedUntil = clock.now.timeIntervalSince1970 + 3
                    while try await queue.job(stem: "long")?.leaseExpiresAt ?? 0 < renewedUntil {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    clock.advance(1)
                    if try await queue.claim(owner: "w2", now: clock.now) != nil { takenWhileHeld += 1 }
                }
                return takenWhileHeld
            }
            #expect(contested == 0, "renewed at every second of the clock, the 3 s lease never ran out during 10 s of work")

            // w1 stopped beating (as if cut off) without finishing: once the lease is past, w2 takes over.
            #expect(try await queue.claim(owner: "w2", now: clock.now) == nil)
            clock.advance(4)
            let taken = try #require(try await queue.claim(owner: "w2", now: clock.now))
            #expect(taken.id == job.id && taken.claims == 2 && taken.leaseOwner == "w2")

            // w1 comes back: its next beat finds the lease gone, and its work is cancelled.
            let error = await #expect(throws: PostgresIndexError.self) {
                try await queue.withHeartbeat(job, owner: "w1", every: .milliseconds(20), now: { clock.now }) {
                    try await Task.sleep(for: .seconds(600))
                    return true
                }
            }
            #expect(error?.kind == .leaseLost, "\(String(describing: error))")
        }
    }

    @Test("a poison input: claimed more than max_claims times (its worker died each time), it is quarantined and never claimed again")
    func poisonInput() async throws {
        try await PostgresTestServer.withIndex { index in
            let maxClaims = Settings.Defaults.maxClaims
            let queue = PostgresJobQueue(index: index, leaseSeconds: 10)
            try await queue.enqueue([.init(stem: "poison", audioName: "poison.wav")], now: t0) { _ in true }
            var now = t0
            var claims: [Int] = []
            var last: PostgresJob?
            // Each claimer "dies" mid-job: nothing finishes the job, the lease runs out, the next claims it.
            while let job = try await queue.claim(owner: "w\(claims.count)", now: now) {
                claims.append(job.claims)
                last = job
                // What CallProcessor does on SQLite: more claims than max_claims is a poison input.
                if job.claims > maxClaims {
                    try await queue.markFailed(job, owner: job.leaseOwner ?? "", error: "the worker stopped \(job.claims - 1) times", now: now)
                }
                now = now.addingTimeInterval(11)
            }
            #expect(claims == Array(1...(maxClaims + 1)))
            let failed = try #require(try await queue.job(stem: "poison"))
            #expect(failed.state == .failed && failed.attempts == 1 && failed.lastError == "the worker stopped \(maxClaims) times")
            #expect(failed.id == last?.id)
            #expect(try await queue.claim(owner: "late", now: now.addingTimeInterval(3600)) == nil)
            #expect(try await queue.unfinishedCount() == 0)
        }
    }

    @Test("enqueue: the same stem twice is queued once; a finished stem whose files are back is queued again, reset")
    func enqueue() async throws {
        try await PostgresTestServer.withIndex { index in
            let queue = PostgresJobQueue(index: index, leaseSeconds: 60)
            let a = PostgresJobQueue.Arrival(stem: "a", audioName: "a.wav")
            #expect(try await queue.enqueue([a], now: t0) { _ in true } == 1)
            #expect(try await queue.enqueue([a], now: t0) { _ in true } == 0)
            let job = try #require(try await queue.claim(owner: "w1", now: t0))
            try await queue.retry(job, owner: "w1", error: "disk busy", retryAt: t0.addingTimeInterval(30), now: t0)
            #expect(try await queue.claim(owner: "w1", now: t0.addingTimeInterval(29)) == nil, "a retry waits for its time")
            let again = try #require(try await queue.claim(owner: "w1", now: t0.addingTimeInterval(30)))
            #expect(again.attempts == 1 && again.lastError == "disk busy")
            try await queue.markDone(again, owner: "w1", recordID: "r1", now: t0.addingTimeInterval(31))
            #expect(try await queue.enqueue([a], now: t0.addingTimeInterval(40)) { _ in false } == 0, "files gone: stays done")
            #expect(try await queue.enqueue([.init(stem: "a", audioName: "a.flac")], now: t0.addingTimeInterval(41)) { _ in true } == 1)
            let requeued = try #require(try await queue.job(stem: "a"))
            #expect(requeued.state == .pending && requeued.audioName == "a.flac" && requeued.claims == 0 && requeued.attempts == 0)
            #expect(requeued.recordID == nil && requeued.lastError == nil)
        }
    }

    @Test("machines with spools of their own share the queue: each claims, counts and finds only its spool's jobs, and one stem in two spools is two jobs")
    func spoolsOfTheirOwn() async throws {
        try await PostgresTestServer.withIndex { index in
            // Two switches number their files alike: both deliver "1001" and "1002".
            let a = PostgresJobQueue(index: index, leaseSeconds: 60, spool: "spool-a")
            let b = PostgresJobQueue(index: index, leaseSeconds: 60, spool: "spool-b")
            let pairs: [PostgresJobQueue.Arrival] = [.init(stem: "1001", audioName: "1001.wav"), .init(stem: "1002", audioName: "1002.wav")]
            #expect(try await a.enqueue(pairs, now: t0) { _ in true } == 2)
            #expect(try await b.enqueue(pairs, now: t0) { _ in true } == 2, "the other spool's pairs under the same stems are jobs of their own")
            #expect(try await a.enqueue(pairs, now: t0) { _ in true } == 0)

            // Before spools, machine B's worker claimed A's job and, not finding its files, quarantined it.
            var claimedByB: [PostgresJob] = []
            while let job = try await b.claim(owner: "b1", now: t0) { claimedByB.append(job) }
            #expect(claimedByB.map(\.stem).sorted() == ["1001", "1002"] && Set(claimedByB.map(\.id)).count == 2)
            #expect(try await b.unfinishedCount() == 2)
            #expect(try await a.unfinishedCount() == 2)
            let first = try #require(try await a.claim(owner: "a1", now: t0))
            #expect(!claimedByB.contains { $0.id == first.id }, "A's worker gets A's job, never one B holds")
            for job in claimedByB { try await b.markDone(job, owner: "b1", recordID: "b-\(job.stem)", now: t0) }
            #expect(try await b.unfinishedCount() == 0, "B's --once is finished")
            #expect(try await a.unfinishedCount() == 2, "A's jobs are A's to wait for")
            #expect(try await b.nextClaimableAt() == nil)
            #expect(try await a.nextClaimableAt() == t0)
            #expect(try await b.job(stem: "1001")?.state == .done)
            #expect(try await a.job(stem: "1001")?.state != .done)

            // A's held job, its lease expired: B's workers still do not take it (they cannot read A's
            // spool); another worker of A's spool does.
            #expect(try await b.claim(owner: "b2", now: t0.addingTimeInterval(61)) == nil)
            let takenOver = try #require(try await a.claim(owner: "a2", now: t0.addingTimeInterval(61)))
            #expect(takenOver.id == first.id && takenOver.claims == 2 && takenOver.leaseOwner == "a2")
        }
    }
}

/// A clock the test moves by hand, read by the heartbeat's task.
final class TestClock: Sendable {
    private let seconds: Mutex<Double>
    init(_ start: Date) { seconds = Mutex(start.timeIntervalSince1970) }
    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}
