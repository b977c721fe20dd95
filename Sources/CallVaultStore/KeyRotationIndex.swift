import Foundation
import GRDB

/// What `callvault keys rotate` (CallVaultArchive's `KeyRotation`) reads from and writes to a
/// SQLite index (``KeyRotationSource``): the encrypted archive files, the swap of one file's
/// recorded SHA-256 and size, and the run's audit entry.
public struct KeyRotationIndex: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) {
        self.index = index
    }

    /// An encrypted call's archive file as the index records it.
    public struct EncryptedFile: Sendable, Equatable {
        public var id: String
        /// Relative to the archive root; ends in `.opus.age`.
        public var archivePath: String
        public var sha256: String
        public var opusSha256: String
        public var bytes: Int

        public init(id: String, archivePath: String, sha256: String, opusSha256: String, bytes: Int) {
            self.id = id
            self.archivePath = archivePath
            self.sha256 = sha256
            self.opusSha256 = opusSha256
            self.bytes = bytes
        }
    }

    /// The audit action of a rotation run: one entry per run, with its counts.
    public static let auditAction = "keys_rotated"

    /// The calls a rotation re-encrypts (`.age` files, not purged), for both backends.
    public static let encryptedCondition = "archive_path LIKE '%.age' AND audio_purged_at IS NULL"

    /// The calls whose audio is a plain file (not purged), for both backends.
    public static let plainCondition = "archive_path NOT LIKE '%.age' AND audio_purged_at IS NULL"

    /// The columns an ``EncryptedFile`` is read from, in its order (a call from before
    /// `opus_sha256` was recorded was plain Opus when hashed: its `sha256`).
    public static let encryptedColumns = "id, archive_path, sha256, COALESCE(opus_sha256, sha256), bytes"

    public func encryptedFiles(after: String?, limit: Int) throws -> [EncryptedFile] {
        try index.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.encryptedColumns) FROM calls
                WHERE \(Self.encryptedCondition) AND id > ? ORDER BY id LIMIT ?
                """, arguments: [after ?? "", limit]).map { row in
                EncryptedFile(id: row[0], archivePath: row[1], sha256: row[2], opusSha256: row[3], bytes: row[4])
            }
        }
    }

    /// How many calls keep their audio as a plain `.opus` file (not purged).
    public func plainFileCount() throws -> Int {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE \(Self.plainCondition)") ?? 0
        }
    }

    /// Records the re-encrypted file of `file` (new SHA-256 and size) if the index still holds
    /// `file` as read (same SHA-256, not purged meanwhile). Returns false, changing nothing, when
    /// it does not: the caller then discards its new file.
    public func recordReencrypted(_ file: EncryptedFile, sha256: String, bytes: Int) throws -> Bool {
        try index.pool.write { db in
            try db.execute(sql: """
                UPDATE calls SET sha256 = ?, bytes = ?
                WHERE id = ? AND sha256 = ? AND audio_purged_at IS NULL
                """, arguments: [sha256, bytes, file.id, file.sha256])
            return db.changesCount == 1
        }
    }

    public func auditRun(reason: String, details: [String: String]) throws {
        try AuditLog(index: index).append(action: Self.auditAction, ids: [], reason: reason, details: details)
    }
}
