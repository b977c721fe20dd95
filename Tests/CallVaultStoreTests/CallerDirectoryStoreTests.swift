import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Caller directory in the index")
struct CallerDirectoryStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)
    let ada = CallerDirectoryEntry(number: "+12125550187", name: "Ada_Lovelace 100%", city: "London")
    let grace = CallerDirectoryEntry(number: "+16465550170", name: "Grace Hopper")

    func auditCount(_ f: StoreFixture) throws -> Int {
        try f.index.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit WHERE action = 'directory_imported'") ?? 0 }
    }

    @Test("replace counts what changed, audits only a change, and the same rows again change nothing")
    func replace() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let directory = CallerDirectory(index: f.index)
        let first = try directory.replace(with: [ada, grace], file: "d.csv", fingerprint: "a", now: t0)
        let firstCounts: [Int] = [first.rows, first.added, first.removed, first.changed]
        #expect(firstCounts == [2, 2, 0, 0])
        #expect(try directory.isImported(fingerprint: "a") && !directory.isImported(fingerprint: "b"))
        #expect(try directory.replace(with: [grace, ada], file: "other.csv", fingerprint: "b", now: t0).unchanged)
        #expect(try auditCount(f) == 1)
        var moved = grace
        moved.city = "Arlington"
        let second = try directory.replace(with: [moved], file: "d.csv", fingerprint: "c", now: t0)
        let secondCounts: [Int] = [second.rows, second.added, second.removed, second.changed]
        #expect(secondCounts == [1, 0, 1, 1])
        #expect(try auditCount(f) == 2)
        #expect(try directory.list() == [moved])
        #expect(try directory.lookup("+16465550170")?.city == "Arlington")
        #expect(try directory.lookup("+12125550187") == nil)
    }

    @Test("--caller-name: any case, either source, % and _ literal")
    func callerName() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let queue = JobQueue(index: f.index)
        try f.ingest(StoreFixture.record(callID: "a", caller: "+12125550187"), queue: queue, now: t0)
        try f.ingest(StoreFixture.record(callID: "b", caller: "+16465550170"), queue: queue, now: t0)
        try f.ingest(StoreFixture.record(callID: "c", caller: "+13125550143"), queue: queue, now: t0)
        try f.index.pool.write { db in try db.execute(sql: "UPDATE calls SET caller_name = 'ACME 50% OFF' WHERE call_id = 'c'") }
        _ = try CallerDirectory(index: f.index).replace(with: [ada, grace], file: "d.csv", fingerprint: "a", now: t0)
        func ids(_ text: String) throws -> Set<String> {
            var q = CallQuery()
            q.callerName = text
            q.limit = 0
            return Set(try q.run(f.index).records.map(\.callID))
        }
        #expect(try ids("lovelace") == ["a"])
        #expect(try ids("HOPPER") == ["b"])
        #expect(try ids("acme") == ["c"])
        #expect(try ids("%") == ["a", "c"])  // both names hold a literal %
        #expect(try ids("0%") == ["a", "c"])
        #expect(try ids("a_l") == ["a"])
        #expect(try ids("grace_hopper") == [])  // _ unescaped would match the space
        #expect(try ids("_") == ["a"])
        #expect(try ids("\\") == [])
    }
}
