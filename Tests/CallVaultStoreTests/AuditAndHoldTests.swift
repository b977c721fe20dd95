import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Audit chain and hold coverage in the index")
struct AuditAndHoldTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("each entry chains to the previous one; the triggers refuse edits; an edit made around them is found at its seq")
    func chain() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let log = AuditLog(index: f.index)
        for i in 1...3 { try log.append(action: "policy_set", ids: [], reason: "r\(i)") }
        let entries = try log.entries()
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries[1].prevHash == entries[0].hash && entries[2].prevHash == entries[1].hash)
        #expect(try log.firstBrokenLink() == nil)
        #expect(throws: (any Error).self) {
            try f.index.pool.write { db in try db.execute(sql: "UPDATE audit SET reason = 'x' WHERE seq = 2") }
        }
        try f.index.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit SET reason = 'rewritten' WHERE seq = 2")
        }
        #expect(try log.firstBrokenLink()?.seq == 2)
    }

    @Test("a hold covers exactly its calls, later arrivals included, and its audit entry lists only those")
    func holdCoverage() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        try f.ingest(StoreFixture.record(callID: "a", caller: "+442079460958"), queue: queue, now: t0)
        try f.ingest(StoreFixture.record(callID: "b", caller: "+14155550199"), queue: queue, now: t0)
        let holds = Holds(index: f.index)
        let other = try holds.add(.init(name: "R1", reason: "r", placedBy: "t", placedAt: "2026-11-29T00:00:00Z",
                                        callIDs: [RecordID.make(callID: "b")]))
        #expect(other.covered == [RecordID.make(callID: "b")])
        let added = try holds.add(.init(name: "H1", reason: "case", placedBy: "t", placedAt: "2026-11-29T00:00:00Z",
                                        caller: "+442079460958"))
        #expect(added.covered == [RecordID.make(callID: "a")], "not the union of every hold")
        let entry = try #require(try AuditLog(index: f.index).entries().last)
        #expect(entry.action == "hold_added" && entry.ids == [RecordID.make(callID: "a")])
        try f.ingest(StoreFixture.record(callID: "c", caller: "+442079460958", startedAt: "2026-11-21T10:00:00Z"), queue: queue, now: t0)
        let h1 = try #require(try holds.list(includeRemoved: false).first { $0.name == "H1" })
        #expect(h1.calls == 2, "a call arriving after the hold is held too")
        #expect(try holds.remove(name: "H1", by: "t", reason: "closed", now: t0) == 2)
    }
}
