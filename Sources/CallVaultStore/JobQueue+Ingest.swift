import CallVaultCore
import Foundation
import GRDB

/// The SQLite ``QueueStore``: the ingest transaction's steps as `(Database) throws` functions that
/// the worker composes in one write transaction (``inTransaction(_:)``), and the rest of the queue.
extension JobQueue: QueueStore {
    public func inTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try index.pool.write { db in try body(db) }
    }

    /// The lease must still be `owner`'s, and no record with this id may be in the index yet
    /// (another stem with the same call_id got there first: claimed again, the job is recognised
    /// as a duplicate).
    public func commitRefusal(_ db: Database, recordID: String, job: Job, owner: String) throws -> CommitResult? {
        guard try holds(db, job: job, owner: owner) else { return .leaseLost }
        if try CallRecord.exists(db, key: recordID) { return .alreadyArchived }
        return nil
    }

    public func linkAttribution(_ record: inout CallRecord, _ db: Database) throws {
        try CallAttributor.link(&record, windows: attributionWindows, db)
    }

    public func stampRetention(_ record: inout CallRecord, policy: RetentionPolicy, _ db: Database) throws {
        RetentionStamp.stamp(&record, policy: policy)
    }

    public func insertArchived(_ record: CallRecord, job: Job, now: Date, _ db: Database) throws {
        try record.insert(db)
        try db.execute(sql: "UPDATE jobs SET state = 'archived', record_id = ?, updated_at = ? WHERE id = ?",
                       arguments: [record.id, now.timeIntervalSince1970, job.id])
    }

    public func auditRedactions(_ record: CallRecord, _ db: Database) throws {
        try RedactionAudit.append(record, db)
    }

    public func call(id: String) throws -> CallRecord? {
        try index.call(id: id)
    }
}
