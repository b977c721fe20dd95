import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import CallVaultWorker
import Foundation
import Testing

@Suite("PostgreSQL holds and retention: Store's rules, PostgreSQL's transactions", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresHoldsRetentionTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    let short = RetentionPolicy(rules: [.init(name: "short", keepAudioDays: 1, keepRecordDays: 3)])

    @Test("a hold covers what its selectors match and is refused twice; retention dates every call, leaves the held one out, yields to a hold placed after planning, then purges, deletes and audits each once")
    func holdsWinOverRetention() async throws {
        let a = try StoreFixture.record(callID: "held-a"), b = try StoreFixture.record(callID: "due-b")
        let (now, short) = (now, short)
        try await PostgresTestServer.withIndex { index in
            try await onThread { try PostgresTestServer.ingest([a, b], into: index, now: now) }
            let holds = PostgresHolds(index: index)
            let added = try await holds.add(Holds.Hold(name: "H", reason: "dispute", placedBy: "counsel", placedAt: "2026-11-30T00:00:00Z",
                                                       callIDs: [a.id, "nosuch"], campaign: nil))
            #expect(added.covered == [a.id] && added.unknownIDs == ["nosuch"])
            await #expect(throws: Holds.HoldError.self) {
                try await holds.add(Holds.Hold(name: "H", reason: "again", placedBy: "counsel", placedAt: "2026-11-30T00:00:00Z", callIDs: [b.id]))
            }
            #expect(try await holds.list(includeRemoved: false).map { "\($0.name) \($0.calls ?? -1) \($0.callIDs ?? [])" }
                    == ["H 1 [\"\(a.id)\", \"nosuch\"]"])

            let retention = PostgresRetentionIndex(index: index)
            let later = try #require(Timestamp.parseInstant("2026-12-01T00:00:00Z"), "after both calls' record dates")
            let planned = try await onThread { () -> [String] in
                let recomputed = try retention.recompute(short, dryRun: false, extraDetails: [:])
                let due = try retention.due(at: later)
                return ["\(recomputed.changed) \(recomputed.policyChanged)", "\(due.held)"] + due.calls.map { "\($0.id) \($0.recordDue) \($0.rule)" }
            }
            #expect(planned == ["2 false", "1", "\(b.id) true short"])

            // A hold placed after planning wins; once removed, the call is purged, then deleted, once each.
            #expect(try await holds.add(Holds.Hold(name: "late", reason: "r", placedBy: "counsel", placedAt: "2026-11-30T00:00:01Z",
                                                   callIDs: [b.id])).covered == [b.id])
            @Sendable func purge() throws -> RetentionIndex.Recheck {
                try retention.markAudioPurged(id: b.id, callID: b.callID, sha256: b.sha256, archivePath: b.archivePath,
                                              policy: short, now: later, extraDetails: [:])
            }
            #expect(try await onThread { try purge() } == .held)
            #expect(try await holds.remove(name: "late", by: "counsel", reason: "closed", now: now) == 1)
            await #expect(throws: Holds.HoldError.self) { try await holds.remove(name: "late", by: "counsel", reason: "closed", now: now) }
            let steps = try await onThread { () -> [RetentionIndex.Recheck] in
                [try purge(), try purge(),
                 try retention.deleteRecord(id: b.id, callID: b.callID, startedAt: Timestamp.format(b.startedAt), sha256: b.sha256, policy: short, now: later,
                                            extraDetails: [:])]
            }
            #expect(steps == [.due(rule: "short", until: "2026-11-21T14:00:00Z"), .gone, .due(rule: "short", until: "2026-11-23T14:00:00Z")])
            #expect(try await onThread { try retention.purgedArchivePaths() }.isEmpty, "the purged call's record is gone")
            #expect(try await PostgresCallReader(index: index).call(id: a.id) != nil)
            #expect(try await PostgresCallReader(index: index).call(id: b.id) == nil)
            let audit = PostgresAuditLog(index: index)
            #expect(try await audit.entries().map(\.action)
                    == ["hold_added", "policy_set", "hold_added", "hold_removed", "audio_deleted", "record_deleted"])
            #expect(try await audit.firstBrokenLink() == nil)
        }
    }

    @Test("a deletion that meets a hold being placed waits for it and then sees it: the call is held, not purged")
    func deletionWaitsForAHoldBeingPlaced() async throws {
        let call = try StoreFixture.record(callID: "race-c")
        let (now, short) = (now, short)
        let later = try #require(Timestamp.parseInstant("2026-12-01T00:00:00Z"))
        try await PostgresTestServer.withIndex { index in
            let store = PostgresQueueStore(index: index, leaseSeconds: 60)
            let retention = PostgresRetentionIndex(index: index)
            try await onThread {
                _ = try store.enqueue([SpoolArrival(stem: "race-c", audioName: "c.wav")], now: now) { _ in true }
                if let job = try store.claim(owner: "me", now: now) {
                    _ = try IngestTransaction.commit(call, job: job, owner: "me", retention: nil, now: now, in: store)
                }
                _ = try retention.recompute(short, dryRun: false, extraDetails: [:])
            }
            // A hold's transaction, as PostgresHolds.add opens it: the lock, the row, then a pause before its commit.
            let (locked, signal) = AsyncStream<Void>.makeStream()
            let placing = Task {
                try await index.transaction("placing a hold slowly") { c in
                    _ = try await c.query("SELECT pg_advisory_xact_lock(\(PostgresHolds.lockKey))", logger: index.logger).collect()
                    try await c.query("""
                        INSERT INTO holds (name, reason, placed_by, placed_at, call_ids)
                        VALUES ('slow', 'race', 'counsel', '2026-11-30T00:00:00Z', \("[\"\(call.id)\"]"))
                        """, logger: index.logger)
                    signal.yield()
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            for await _ in locked { break }
            let check = try await onThread {
                try retention.markAudioPurged(id: call.id, callID: call.callID, sha256: call.sha256, archivePath: call.archivePath,
                                              policy: short, now: later, extraDetails: [:])
            }
            try await placing.value
            #expect(check == .held, "the deletion waited for the hold's commit and saw it")
            #expect(try await PostgresCallReader(index: index).call(id: call.id)?.audioPurgedAt == nil)
        }
    }
}
