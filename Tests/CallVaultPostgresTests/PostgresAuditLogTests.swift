import CallVaultCore
import CallVaultPostgres
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL audit log: append-only by triggers, the same hash chain", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresAuditLogTests {
    @Test("UPDATE, DELETE and TRUNCATE of audit rows are refused by the server; an edit that gets past them breaks the chain there")
    func appendOnly() async throws {
        try await PostgresTestServer.withIndex { index in
            let audit = PostgresAuditLog(index: index)
            try await audit.append(action: "hold", ids: ["c1", "c2"], reason: "litigation 2026-17", details: ["name": "smith"])
            try await audit.append(action: "delete", ids: ["c3"], reason: "retention", sha256: String(repeating: "a", count: 64))
            try await audit.append(action: "release", ids: [], reason: "settled", details: ["path": "a/b"])
            let entries = try await audit.entries()
            #expect(entries.map(\.seq) == [1, 2, 3])
            #expect(entries.first?.prevHash == AuditChain.genesis && entries[1].prevHash == entries[0].hash)
            #expect(try await audit.firstBrokenLink() == nil)

            for statement in ["UPDATE audit SET reason = 'nothing happened' WHERE seq = 2", "DELETE FROM audit WHERE seq = 3", "TRUNCATE audit"] {
                let error = await #expect(throws: PostgresIndexError.self) {
                    _ = try await index.query("tampering", PostgresQuery(unsafeSQL: statement))
                }
                #expect(error?.message.contains("the audit log is append-only") == true, "\(statement): \(String(describing: error))")
            }
            #expect(try await audit.entries() == entries, "nothing changed")

            // The table's owner can still switch a trigger off: the chain is what then tells.
            _ = try await index.query("disabling", "ALTER TABLE audit DISABLE TRIGGER audit_no_update")
            _ = try await index.query("editing", "UPDATE audit SET reason = 'nothing happened' WHERE seq = 2")
            let broken = try #require(try await audit.firstBrokenLink())
            #expect(broken.seq == 2 && broken.reason.contains("altered"), "\(broken)")
        }
    }

    @Test("appends from many connections at once keep one unbroken chain with no gap in seq")
    func concurrentAppends() async throws {
        try await PostgresTestServer.withIndex { index in
            let audit = PostgresAuditLog(index: index)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for n in 0..<10 { try await audit.append(action: "note", ids: ["w\(writer)-\(n)"], reason: "concurrent") }
                    }
                }
                try await group.waitForAll()
            }
            let entries = try await audit.entries()
            #expect(entries.map(\.seq) == Array(1...40))
            #expect(Set(entries.flatMap(\.ids)).count == 40)
            #expect(try await audit.firstBrokenLink() == nil)
        }
    }

    @Test("an entry hashes as SQLite's AuditLog hashes it: the stored hash is AuditChain's digest of its fields")
    func sameHashing() async throws {
        try await PostgresTestServer.withIndex { index in
            try await PostgresAuditLog(index: index).append(action: "hold", ids: ["c/1"], reason: "r", details: ["b": "2", "a": "1"])
            let rows = try await index.query("raw entry", "SELECT ids, details, hash, at, os_user FROM audit WHERE seq = 1")
            let (ids, details, hash, at, user) = try #require(rows.first).decode((String, String, String, String, String).self)
            #expect(ids == #"["c/1"]"# && details == #"{"a":"1","b":"2"}"#, "sorted keys, slashes plain, as on SQLite")
            #expect(hash == AuditChain.digest(prev: AuditChain.genesis, at: at, action: "hold", ids: ["c/1"], reason: "r", sha256: nil,
                                              version: CallVault.version, user: user, details: ["a": "1", "b": "2"]))
        }
    }
}
