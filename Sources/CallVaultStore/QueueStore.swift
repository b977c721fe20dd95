import CallVaultCore
import Foundation

/// What the worker asks of the index, whatever database holds it: the job queue's transitions, the
/// steps of the one ingest transaction, and reading a call back.
///
/// ``JobQueue`` is the SQLite implementation (its `Transaction` is GRDB's `Database`); a second
/// backend (PostgreSQL) implements the same protocol beside it, and the worker does not change.
/// The ingest transaction is composed by the worker from the steps, in this order:
///
/// ```swift
/// try store.inTransaction { tx in
///     if let refused = try store.commitRefusal(tx, recordID: record.id, job: job, owner: owner) { return refused }
///     var record = record
///     try store.linkAttribution(&record, tx)
///     if let policy { try store.stampRetention(&record, policy: policy, tx) }
///     try store.insertArchived(record, job: job, now: now, tx)
///     try store.auditRedactions(record, tx)
///     return .committed
/// }
/// ```
public protocol QueueStore: Sendable {
    /// What the steps of one write transaction share (`Database` for SQLite).
    associatedtype Transaction

    /// How long a claim or a renewal holds a job.
    var leaseSeconds: Double { get }

    /// Runs `body` as one write transaction: all of its steps are committed, or none.
    func inTransaction<T>(_ body: (Transaction) throws -> T) throws -> T

    // MARK: The ingest transaction's steps

    /// Why `owner` may not commit `recordID` for `job` (the lease is lost, or the call is already
    /// in the index), or nil: the other steps may go on.
    func commitRefusal(_ tx: Transaction, recordID: String, job: Job, owner: String) throws -> CommitResult?
    /// Attribution: sets the record's campaign, source, medium and `attribution` (registry, pool
    /// session or call-back request; see ``CallAttributor``).
    func linkAttribution(_ record: inout CallRecord, _ tx: Transaction) throws
    /// Retention: sets the record's `retain_*_until` and rule from `policy` (after attribution).
    func stampRetention(_ record: inout CallRecord, policy: RetentionPolicy, _ tx: Transaction) throws
    /// Inserts the record and marks the job `archived`.
    func insertArchived(_ record: CallRecord, job: Job, now: Date, _ tx: Transaction) throws
    /// Audit: one `redaction` entry for a record with redactions (``RedactionAudit``); nothing otherwise.
    func auditRedactions(_ record: CallRecord, _ tx: Transaction) throws

    // MARK: The queue

    func enqueue(_ arrivals: [SpoolArrival], now: Date, stillPresent: (SpoolArrival) -> Bool) throws -> Int
    func recoverAbandoned(now: Date, isAlive: (String) -> Bool) throws -> Int
    func claim(owner: String, now: Date) throws -> Job?
    func renew(_ job: Job, owner: String, now: Date) throws -> Bool
    func placeArchiveFile(_ job: Job, owner: String, recordID: String, replacing: (sha256: String, bytes: Int, opusSha256: String)?,
                          now: Date, rename: () throws -> Void) throws -> Bool
    func recordJobsFinished(recordID: String) throws -> Bool
    func markDone(_ job: Job, owner: String, recordID: String?, note: String?, now: Date) throws
    func retry(_ job: Job, owner: String, error: String, retryAt: Date, now: Date) throws
    func release(_ job: Job, owner: String, reason: String?, now: Date) throws
    func markFailed(_ job: Job, owner: String, error: String, now: Date) throws
    func noteError(_ job: Job, owner: String, error: String, now: Date) throws
    func unfinishedCount() throws -> Int
    func job(stem: String) throws -> Job?
    /// When the next unfinished job becomes claimable if nothing else happens (a retry's
    /// `available_at`, a held job's `lease_expires_at`); nil when none is unfinished.
    func nextClaimableAt() throws -> Date?

    /// The call with archive id `id`, or nil.
    func call(id: String) throws -> CallRecord?

    /// Whether `error` says the index cannot be reached (a database server down or cut off): the
    /// run stops and the job goes back, rather than using up its attempts and quarantining good inputs.
    func isUnavailable(_ error: any Error) -> Bool
}

extension QueueStore {
    /// A local file (SQLite) is never unreachable; a full disk is ``IndexError/isStorageExhausted(_:)``.
    public func isUnavailable(_ error: any Error) -> Bool { false }
}
