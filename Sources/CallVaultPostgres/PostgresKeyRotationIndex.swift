import CallVaultStore
import Foundation
import PostgresNIO

/// `keys rotate`'s index side on PostgreSQL (Store's ``KeyRotationSource``), synchronous as
/// CallVaultArchive's `KeyRotation` is: each operation waits through ``PostgresBlocking``, so the
/// command runs it on a thread of its own. The conditions and columns are ``KeyRotationIndex``'s,
/// the audit entry goes on PostgreSQL's chain (``PostgresAuditLog``).
///
/// The swap of a file's recorded SHA-256 and size is one committed statement that matches the row
/// only while it still records the file that was read and is not purged: under READ COMMITTED a
/// purge or an erasure committed meanwhile (each locks the row, as ``PostgresRetentionIndex`` and
/// ``PostgresErasureIndex`` do) is waited for and then seen, and the swap changes nothing. So a
/// kill at any point leaves what SQLite's single writer leaves, and a rerun finishes the same way.
public struct PostgresKeyRotationIndex: KeyRotationSource {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    public func encryptedFiles(after: String?, limit: Int) throws -> [KeyRotationIndex.EncryptedFile] {
        let index = index
        var binds = PostgresBindings()
        binds.append(after ?? "")
        binds.append(limit)
        let query = PostgresQuery(unsafeSQL: """
            SELECT \(KeyRotationIndex.encryptedColumns) FROM calls
            WHERE \(KeyRotationIndex.encryptedCondition) AND id > $1 ORDER BY id LIMIT $2
            """, binds: binds)
        return try PostgresBlocking.wait {
            try await index.query("reading up to \(limit) encrypted calls after \(after ?? "the first")", query).map { row in
                let (id, archivePath, sha256, opusSha256, bytes) = try row.decode((String, String, String, String, Int64).self)
                return KeyRotationIndex.EncryptedFile(id: id, archivePath: archivePath, sha256: sha256, opusSha256: opusSha256, bytes: Int(bytes))
            }
        }
    }

    public func plainFileCount() throws -> Int {
        let index = index
        return try PostgresBlocking.wait {
            let rows = try await index.query("counting the plain archive files",
                                             PostgresQuery(unsafeSQL: "SELECT count(*) FROM calls WHERE \(KeyRotationIndex.plainCondition)"))
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    public func recordReencrypted(_ file: KeyRotationIndex.EncryptedFile, sha256: String, bytes: Int) throws -> Bool {
        let index = index
        return try PostgresBlocking.wait {
            try await index.transaction("recording the re-encrypted file of call \(file.id)") { c in
                try await !c.query("""
                    UPDATE calls SET sha256 = \(sha256), bytes = \(Int64(bytes))
                    WHERE id = \(file.id) AND sha256 = \(file.sha256) AND audio_purged_at IS NULL
                    RETURNING id
                    """, logger: index.logger).collect().isEmpty
            }
        }
    }

    public func auditRun(reason: String, details: [String: String]) throws {
        let index = index
        try PostgresBlocking.wait {
            try await PostgresAuditLog(index: index).append(action: KeyRotationIndex.auditAction, ids: [], reason: reason, details: details)
        }
    }
}
