import Foundation

/// What ties an index to its archive root, whatever database holds the index: its id, the root
/// its last `run` recorded, and enough of its calls to recognise a root that holds their files.
/// ``CallIndex`` is the SQLite one (IndexIdentity.swift); the PostgreSQL index keeps the same in
/// its `meta` table. The worker's `ArchiveIdentity` reads it through this protocol.
public protocol IndexIdentityStore: Sendable {
    /// The index's id (`meta.index_id`); nil only for an old index opened read-only.
    func identity() throws -> String?
    /// The archive root the last `run` used (absolute), nil before the first run.
    func recordedArchiveRoot() throws -> String?
    func recordArchiveRoot(_ root: String) throws
    /// How many calls the index has records of.
    func callCount() throws -> Int
    /// Archive paths (relative) of up to `limit` of the newest calls whose audio is not purged.
    func newestArchivePaths(limit: Int) throws -> [String]
}

extension CallIndex: IndexIdentityStore {}
