import CallVaultCore
import Foundation
import GRDB

/// What `callvault verify` (CallVaultArchive's `Verifier`) reads from the index: the calls whose
/// files it re-hashes, the archive path a file on disk should have, and the audit log's size.
/// The verifier hashes and walks the files; it issues no SQL itself. The audit chain and the
/// report aggregates are checked by ``AuditLog/firstBrokenLink()`` and ``ReportAggregates``.
public struct VerifyIndex: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) {
        self.index = index
    }

    /// A call's archive file as the index records it.
    public struct ArchivedFile: Sendable, Equatable {
        public var id: String
        /// Relative to the archive root.
        public var archivePath: String
        public var sha256: String
        /// The plaintext Opus's SHA-256 (`verify --decrypt`); the stored file's for a plain file.
        public var opusSha256: String
        /// Retention purged the audio: the file should be gone.
        public var purged: Bool

        public init(id: String, archivePath: String, sha256: String, opusSha256: String, purged: Bool) {
            self.id = id
            self.archivePath = archivePath
            self.sha256 = sha256
            self.opusSha256 = opusSha256
            self.purged = purged
        }
    }

    /// The calls started at or after `since` (all when nil); `sample` of them at random when given.
    public func archivedFiles(since: Date?, sample: Int?) throws -> [ArchivedFile] {
        try index.pool.read { db in
            var sql = "SELECT id, archive_path, sha256, audio_purged_at, opus_sha256 FROM calls"
            var args: StatementArguments = []
            if let since { sql += " WHERE started_at >= ?"; args += [Timestamp.format(since)] }
            if let sample { sql += " ORDER BY random() LIMIT ?"; args += [sample] }
            return try Row.fetchAll(db, sql: sql, arguments: args).map { row in
                ArchivedFile(id: row[0], archivePath: row[1], sha256: row[2], opusSha256: (row[4] as String?) ?? row[2],
                             purged: (row[3] as String?) != nil)
            }
        }
    }

    /// The archive path (relative) of the call with archive id `id`, or nil when there is none.
    public func archivePath(ofCall id: String) throws -> String? {
        try index.pool.read { db in
            try String.fetchOne(db, sql: "SELECT archive_path FROM calls WHERE id = ?", arguments: [id])
        }
    }

    /// How many entries the audit log has.
    public func auditEntryCount() throws -> Int {
        try index.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0 }
    }
}
