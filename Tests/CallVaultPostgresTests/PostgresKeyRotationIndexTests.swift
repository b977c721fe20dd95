import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import CallVaultWorker
import Foundation
import Testing

@Suite("keys rotate's index side on PostgreSQL: SQLite's reads and swaps, PostgreSQL's transactions",
       .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresKeyRotationIndexTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// Four encrypted calls (one purged) and a plain one, each with hashes of its own.
    static func records() throws -> [CallRecord] {
        try (1...5).map { n in
            var r = try StoreFixture.record(callID: "rot-\(n)", startedAt: "2026-11-2\(n)T14:00:00Z")
            r.archivePath = "2026/11/2\(n)/\(r.id).opus" + (n == 5 ? "" : ".age")
            r.sha256 = String(repeating: "\(n)", count: 64)
            r.opusSha256 = n == 5 ? r.sha256 : String(repeating: "e", count: 63) + "\(n)"
            r.bytes = 1000 + n
            if n == 4 { r.audioPurgedAt = Date(timeIntervalSince1970: 1_764_000_000) }
            return r
        }
    }

    /// The same steps on either backend, written down as text: pages of two, the plain count,
    /// a swap, the same swap again (the index no longer holds the file read), a swap of the
    /// purged call, the page after the swap, and the run's audit entry.
    static func transcript(_ source: any KeyRotationSource) throws -> [String] {
        func line(_ files: [KeyRotationIndex.EncryptedFile]) -> String {
            files.map { "\($0.id.prefix(6)) \($0.archivePath.hasSuffix(".opus.age")) \($0.sha256.prefix(2)) \($0.opusSha256.suffix(2)) \($0.bytes)" }
                .joined(separator: ", ")
        }
        let first = try source.encryptedFiles(after: nil, limit: 2)
        let second = try source.encryptedFiles(after: first.last?.id, limit: 2)
        let rest = try source.encryptedFiles(after: second.last?.id, limit: 2)
        let swapped = try #require(first.first, "an encrypted call to swap")
        let swap = try source.recordReencrypted(swapped, sha256: String(repeating: "f", count: 64), bytes: 2000)
        let again = try source.recordReencrypted(swapped, sha256: String(repeating: "c", count: 64), bytes: 3000)
        var purged = swapped
        purged.id = RecordID.make(callID: "rot-4")
        purged.sha256 = String(repeating: "4", count: 64)
        let onPurged = try source.recordReencrypted(purged, sha256: String(repeating: "d", count: 64), bytes: 4000)
        let after = try source.encryptedFiles(after: nil, limit: 10)
        try source.auditRun(reason: "archive files re-encrypted", details: ["rotated": "1", "by": "ops"])
        return [line(first), line(second), "\(rest.count)", "plain \(try source.plainFileCount())", "\(swap) \(again) \(onPurged)", line(after)]
    }

    @Test("pages in id order without the purged call, the plain count, a swap once and never on a purged call, and the keys_rotated entry: the same on SQLite and PostgreSQL")
    func sameAsSQLite() async throws {
        let records = try Self.records()
        let now = now
        let f = try StoreFixture()
        defer { f.remove() }
        for r in records { try f.ingest(r, queue: JobQueue(index: f.index), now: now) }
        let sqlite = try Self.transcript(KeyRotationIndex(index: f.index))
        let sqliteAudit = try AuditLog(index: f.index).entries().last

        let (postgres, postgresAudit) = try await PostgresTestServer.withIndex { index in
            let transcript = try await onThread {
                try PostgresTestServer.ingest(records, into: index, now: now)
                return try Self.transcript(PostgresKeyRotationIndex(index: index))
            }
            let audit = PostgresAuditLog(index: index)
            #expect(try await audit.firstBrokenLink() == nil)
            return (transcript, try await audit.entries().last)
        }

        let ids = records.map(\.id).sorted()
        let encrypted = ids.filter { $0 != RecordID.make(callID: "rot-4") && $0 != RecordID.make(callID: "rot-5") }
        #expect(encrypted.count == 3)
        let firstID = try #require(encrypted.first)
        #expect(sqlite[0].hasPrefix(String(firstID.prefix(6))), "id order: \(sqlite[0])")
        #expect(sqlite[2] == "0" && sqlite[3] == "plain 1" && sqlite[4] == "true false false", "\(sqlite)")
        #expect(sqlite[5].hasPrefix("\(firstID.prefix(6)) true ff"), "the swapped file's new hash: \(sqlite[5])")
        #expect(sqlite[5].split(separator: ",").count == 3 && sqlite[5].contains(" 2000"), "\(sqlite[5])")
        #expect(postgres == sqlite, "--- SQLite\n\(sqlite)\n--- PostgreSQL\n\(postgres)")
        for entry in [sqliteAudit.map { ($0.action, $0.reason, $0.details) }, postgresAudit.map { ($0.action, $0.reason, $0.details) }] {
            let (action, reason, details) = try #require(entry, "the run's audit entry")
            #expect(action == "keys_rotated" && reason == "archive files re-encrypted" && details == ["rotated": "1", "by": "ops"])
        }
    }
}
