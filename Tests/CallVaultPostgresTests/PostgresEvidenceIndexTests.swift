import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import CallVaultWorker
import Foundation
import Testing

@Suite("PostgreSQL evidence reads: a hold's calls, the records with their holds, the audit entries, the export's entry", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresEvidenceIndexTests {
    @Test("only an active hold selects calls (oldest first); records come once each, oldest first, with their holds, unknown ids once in the order given; audit entries are those naming the calls, as the log holds them; the export entry extends the chain")
    func evidenceReads() async throws {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let early = try StoreFixture.record(callID: "ev-early", startedAt: "2026-11-20T14:00:00Z")
        let late = try StoreFixture.record(callID: "ev-late", caller: "+12125550111", startedAt: "2026-11-22T09:00:00Z")
        let other = try StoreFixture.record(callID: "ev-other", caller: nil, tracking: "+14155550199", startedAt: "2026-11-21T10:00:00Z")
        try await PostgresTestServer.withIndex { index in
            let store = PostgresQueueStore(index: index, leaseSeconds: 60)
            try await onThread {
                let calls = [late, other, early]
                _ = try store.enqueue(calls.map { SpoolArrival(stem: $0.callID, audioName: $0.callID + ".wav") }, now: now) { _ in true }
                while let job = try store.claim(owner: "me", now: now) {
                    guard let call = calls.first(where: { $0.callID == job.stem }) else { continue }
                    _ = try IngestTransaction.commit(call, job: job, owner: "me", retention: nil, now: now, in: store)
                }
            }
            let holds = PostgresHolds(index: index)
            _ = try await holds.add(Holds.Hold(name: "BY-NUMBER", reason: "dispute", placedBy: "counsel", placedAt: "2026-11-30T00:00:00Z",
                                               callIDs: nil, campaign: nil, trackingNumber: "+14155550100"))
            _ = try await holds.add(Holds.Hold(name: "LATE", reason: "audit", placedBy: "counsel", placedAt: "2026-11-30T00:00:01Z",
                                               callIDs: [late.id]))
            _ = try await holds.add(Holds.Hold(name: "GONE", reason: "closed soon", placedBy: "counsel", placedAt: "2026-11-30T00:00:02Z",
                                               callIDs: [other.id]))
            _ = try await holds.remove(name: "GONE", by: "counsel", reason: "closed", now: now)
            let audit = PostgresAuditLog(index: index)
            try await audit.append(action: "access", ids: [other.id], reason: "played", details: ["kind": "play"])

            let source = PostgresEvidenceIndex(index: index)
            let covered = try await onThread { [try source.calls(coveredBy: "BY-NUMBER"), try source.calls(coveredBy: "GONE"), try source.calls(coveredBy: "NONE")] }
            #expect(covered == [[early.id, late.id], nil, nil], "a removed or unknown hold selects nothing")

            let read = try await onThread { try source.calls(ids: [late.id, "nosuch", early.id, late.id, "nosuch", other.id]) }
            #expect(read.calls.map(\.record.id) == [early.id, other.id, late.id], "oldest first, each once")
            #expect(read.unknown == ["nosuch"])
            #expect(read.calls.map(\.holds) == [["BY-NUMBER"], [], ["BY-NUMBER", "LATE"]], "active holds only, oldest placed first")
            #expect(read.calls.map(\.record.caller) == [early.caller, nil, late.caller])
            let none = try await onThread { try source.calls(ids: ["nosuch"]) }
            #expect(none.calls.isEmpty && none.unknown == ["nosuch"])

            // The entries naming `late` and `other`, as PostgreSQL's audit log holds them.
            let all = try await audit.entries()
            let touching = try await onThread { try source.auditEntries(touching: [late.id, other.id]) }
            #expect(touching == all.filter { !Set($0.ids).isDisjoint(with: [late.id, other.id]) }.map { AuditLog.Entry($0) })
            #expect(touching.map(\.action) == ["hold_added", "hold_added", "hold_added", "hold_removed", "access"], "\(touching.map(\.action))")
            #expect(try await onThread { try source.auditEntries(touching: []) }.isEmpty)

            let before = try await onThread { try source.auditChain() }
            #expect(before.entries == all.count && before.broken == nil)
            try await onThread {
                try source.appendAuditEntry(action: "access", ids: [early.id, late.id], reason: "evidence export", sha256: String(repeating: "a", count: 64),
                                            details: ["kind": "export", "calls": "2"])
            }
            let after = try await onThread { try source.auditChain() }
            #expect(after.entries == all.count + 1 && after.broken == nil, "\(String(describing: after.broken))")
            let appended = try #require(try await audit.entries().last)
            #expect(appended.prevHash == all.last?.hash && appended.action == "access" && appended.ids == [early.id, late.id]
                    && appended.sha256 == String(repeating: "a", count: 64) && appended.details == ["kind": "export", "calls": "2"])
        }
    }
}
