import Foundation
import GRDB

/// The index's identity and the archive root it was last run with, kept in `meta`.
///
/// The archive root holds a marker file naming `index_id` (written by the worker's first run);
/// together they let every command tell this index's archive, wherever it is mounted, from a
/// wrong or empty folder.
extension CallIndex {
    /// The archive root's identity marker file (written by the worker's `ArchiveIdentity`, skipped
    /// by `verify`'s orphan walk).
    public static let archiveMarkerName = ".callvault-archive"

    /// The index's id (`meta.index_id`); nil only for an index opened read-only that was made
    /// before the `v4-index-identity` migration.
    public func identity() throws -> String? {
        try pool.read { db in try Self.meta(db, "index_id") }
    }

    /// The archive root the last `run` used (absolute), nil before the first run.
    public func recordedArchiveRoot() throws -> String? {
        try pool.read { db in try Self.meta(db, "archive_root") }
    }

    public func recordArchiveRoot(_ root: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('archive_root', ?)", arguments: [root])
        }
    }

    /// How many calls the index has records of.
    public func callCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0 }
    }

    /// Archive paths (relative) of up to `limit` of the newest calls whose audio is not purged.
    public func newestArchivePaths(limit: Int) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT archive_path FROM calls WHERE audio_purged_at IS NULL ORDER BY started_at DESC LIMIT ?",
                                arguments: [limit])
        }
    }

    private static func meta(_ db: Database, _ key: String) throws -> String? {
        guard try db.tableExists("meta") else { return nil }
        return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }
}
