import Foundation
import GRDB

/// What `callvault keys rotate` (CallVaultArchive's `KeyRotation`) reads from and writes to the
/// index: the encrypted archive files, and the swap of one file's recorded SHA-256 and size.
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
    }

    /// Every call whose audio is kept encrypted (`.age`) and not purged, in id order.
    public func encryptedFiles() throws -> [EncryptedFile] {
        try index.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, archive_path, sha256, COALESCE(opus_sha256, sha256), bytes FROM calls
                WHERE archive_path LIKE '%.age' AND audio_purged_at IS NULL ORDER BY id
                """).map { row in
                EncryptedFile(id: row[0], archivePath: row[1], sha256: row[2], opusSha256: row[3], bytes: row[4])
            }
        }
    }

    /// How many calls keep their audio as a plain `.opus` file (not purged).
    public func plainFileCount() throws -> Int {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE archive_path NOT LIKE '%.age' AND audio_purged_at IS NULL") ?? 0
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
}
