import CallVaultCore
import CallVaultSettings
import CallVaultStore
import Foundation
import PostgresNIO

/// The worker's index on PostgreSQL: ``QueueStore`` (the queue's transitions and the ingest
/// transaction's steps) and ``IndexIdentityStore`` (the archive root's identity) over
/// ``PostgresJobQueue`` and the same tables as SQLite, so `callvault run` works on either
/// backend unchanged.
///
/// Synchronous, as the protocol is (GRDB's calls are): each call waits for postgres-nio's async
/// work through ``PostgresBlocking``, which must not be called from a thread of the cooperative
/// pool (the worker's slots run on threads of their own). The ingest transaction is one
/// PostgreSQL transaction on one connection (``PostgresTransaction``): the job's row is locked
/// (`FOR UPDATE`) by the lease check, so a worker that took the job over waits for it to end.
///
/// Attribution on PostgreSQL is Store's rules (``PostgresAttribution``), as on SQLite: the
/// tracking number's registry row at `started_at`, a pool session, or a call-back request.
public struct PostgresQueueStore: QueueStore, IndexIdentityStore {
    public typealias Transaction = PostgresTransaction

    public let index: PostgresIndex
    public let jobs: PostgresJobQueue
    public var leaseSeconds: Double { jobs.leaseSeconds }
    /// The windows of pool sessions and call-backs (the config's, as SQLite's `JobQueue` has them).
    public let attributionWindows: AttributionWindows

    /// `spool`: the id of the spool this worker reads (``PostgresJobQueue/spool``).
    public init(index: PostgresIndex, leaseSeconds: Double, spool: String = "",
                attributionWindows: AttributionWindows = AttributionWindows(callbackWindowMinutes: Settings.Defaults.callbackWindowMinutes,
                                                                            poolSessionTimeoutMinutes: Settings.Defaults.poolSessionTimeoutMinutes)) {
        self.index = index
        jobs = PostgresJobQueue(index: index, leaseSeconds: leaseSeconds, spool: spool)
        self.attributionWindows = attributionWindows
    }

    public func inTransaction<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try PostgresTransaction.within(index, step: "the ingest transaction", body)
    }

    // MARK: The ingest transaction's steps

    public func commitRefusal(_ tx: PostgresTransaction, recordID: String, job: Job, owner: String) throws -> CommitResult? {
        let jobID = try Self.id(of: job)
        return try tx.run { connection, logger -> CommitResult? in
            let held = try await connection.query("SELECT lease_owner, state FROM jobs WHERE id = \(jobID) FOR UPDATE", logger: logger).collect()
            guard let row = held.first else { return .leaseLost }
            let (leaseOwner, state) = try row.decode((String?, String).self)
            guard leaseOwner == owner, state == "running" || state == "archived" else { return .leaseLost }
            let existing = try await connection.query("SELECT 1 FROM calls WHERE id = \(recordID)", logger: logger).collect()
            return existing.isEmpty ? nil : .alreadyArchived
        }
    }

    public func linkAttribution(_ record: inout CallRecord, _ tx: PostgresTransaction) throws {
        let facts = CallAttributor.Facts(record)
        let windows = attributionWindows
        // The registry's lock, shared: an import (of the registry or the web logs) running now is
        // waited for (its rows are then read), or waits for this call's commit and re-links it.
        let result = try tx.run { connection, logger in
            _ = try await connection.query("SELECT pg_advisory_xact_lock_shared(\(PostgresRegistry.lockKey))", logger: logger).collect()
            return try await PostgresAttribution.resolve(facts, windows: windows, on: connection, logger: logger)
        }
        result.apply(to: &record)
    }

    public func stampRetention(_ record: inout CallRecord, policy: RetentionPolicy, _ tx: PostgresTransaction) throws {
        RetentionStamp.stamp(&record, policy: policy)
    }

    public func insertArchived(_ record: CallRecord, job: Job, now: Date, _ tx: PostgresTransaction) throws {
        let insert = try PostgresCallColumns.insert(record)
        let jobID = try Self.id(of: job)
        let recordID = record.id
        let t = now.timeIntervalSince1970
        try tx.run { connection, logger in
            try await connection.query(insert, logger: logger)
            try await connection.query("UPDATE jobs SET state = 'archived', record_id = \(recordID), updated_at = \(t) WHERE id = \(jobID)",
                                       logger: logger)
        }
    }

    public func auditRedactions(_ record: CallRecord, _ tx: PostgresTransaction) throws {
        guard let entry = RedactionAudit.entry(for: record) else { return }
        let id = record.id
        try tx.run { connection, logger in
            try await PostgresAuditLog.append(connection, logger: logger, action: RedactionAudit.action, ids: [id],
                                              reason: entry.reason, details: entry.details)
        }
    }

    // MARK: The queue

    public func enqueue(_ arrivals: [SpoolArrival], now: Date, stillPresent: (SpoolArrival) -> Bool) throws -> Int {
        // Whether a finished stem's files are back is asked here, outside the transaction (the
        // closure cannot cross to the async task), and only after its job was seen finished: files
        // looked for before could be those of a job another worker finishes in between (it removes
        // them, then marks the job done), queued again and then quarantined as gone. The queue
        // checks inside the transaction that the job is still the one seen finished.
        let stems = arrivals.map(\.stem)
        let finished = try PostgresBlocking.wait { [jobs] in try await jobs.finished(stems: stems) }
        let present = Set(arrivals.filter { finished[$0.stem] != nil && stillPresent($0) }.map(\.stem))
        let pairs = arrivals.map { PostgresJobQueue.Arrival(stem: $0.stem, audioName: $0.audioName) }
        return try PostgresBlocking.wait { [jobs] in
            try await jobs.enqueue(pairs, now: now, finishedAt: finished) { present.contains($0.stem) }
        }
    }

    public func recoverAbandoned(now: Date, isAlive: (String) -> Bool) throws -> Int {
        // The held jobs' owners are judged here (`isAlive` cannot cross to the async task), then
        // only those found dead lose their leases; an owner that claimed in between is not judged,
        // so it is taken for alive.
        let owners = try PostgresBlocking.wait { [index] in
            try await index.query("reading the owners of held jobs",
                                  "SELECT DISTINCT lease_owner FROM jobs WHERE state IN ('running', 'archived') AND lease_owner IS NOT NULL")
                .map { try $0.decode(String.self) }
        }
        let dead = Set(owners.filter { !isAlive($0) })
        guard !dead.isEmpty else { return 0 }
        return try PostgresBlocking.wait { [jobs] in
            try await jobs.recoverAbandoned(now: now) { !dead.contains($0) }
        }
    }

    public func claim(owner: String, now: Date) throws -> Job? {
        try PostgresBlocking.wait { [jobs] in try await jobs.claim(owner: owner, now: now) }.map(Job.init(postgres:))
    }

    public func renew(_ job: Job, owner: String, now: Date) throws -> Bool {
        let held = try PostgresJob(job)
        return try PostgresBlocking.wait { [jobs] in try await jobs.renew(held, owner: owner, now: now) }
    }

    public func placeArchiveFile(_ job: Job, owner: String, recordID: String, replacing: (sha256: String, bytes: Int, opusSha256: String)?,
                                 now: Date, rename: () throws -> Void) throws -> Bool {
        // The rename runs on this thread, inside the transaction whose lease check locked the job's row.
        let jobID = try Self.id(of: job)
        let expires = now.timeIntervalSince1970 + leaseSeconds
        let t = now.timeIntervalSince1970
        return try inTransaction { tx -> Bool in
            let held = try tx.run { connection, logger in
                try await connection.query("""
                    UPDATE jobs SET lease_expires_at = \(expires), updated_at = \(t)
                    WHERE id = \(jobID) AND lease_owner = \(owner) AND state IN ('running', 'archived')
                    RETURNING id
                    """, logger: logger).collect().count == 1
            }
            guard held else { return false }
            if let replacing {
                try tx.run { connection, logger in
                    _ = try await connection.query("""
                        UPDATE calls SET sha256 = \(replacing.sha256), bytes = \(replacing.bytes), opus_sha256 = \(replacing.opusSha256)
                        WHERE id = \(recordID)
                        """, logger: logger)
                }
            }
            try rename()
            return true
        }
    }

    public func recordJobsFinished(recordID: String) throws -> Bool {
        try PostgresBlocking.wait { [jobs] in try await jobs.recordJobsFinished(recordID: recordID) }
    }

    public func markDone(_ job: Job, owner: String, recordID: String?, note: String?, now: Date) throws {
        let held = try PostgresJob(job)
        try PostgresBlocking.wait { [jobs] in try await jobs.markDone(held, owner: owner, recordID: recordID, note: note, now: now) }
    }

    public func retry(_ job: Job, owner: String, error: String, retryAt: Date, now: Date) throws {
        let held = try PostgresJob(job)
        try PostgresBlocking.wait { [jobs] in try await jobs.retry(held, owner: owner, error: error, retryAt: retryAt, now: now) }
    }

    public func release(_ job: Job, owner: String, reason: String?, now: Date) throws {
        let held = try PostgresJob(job)
        try PostgresBlocking.wait { [jobs] in try await jobs.release(held, owner: owner, reason: reason, now: now) }
    }

    public func markFailed(_ job: Job, owner: String, error: String, now: Date) throws {
        let held = try PostgresJob(job)
        try PostgresBlocking.wait { [jobs] in try await jobs.markFailed(held, owner: owner, error: error, now: now) }
    }

    public func noteError(_ job: Job, owner: String, error: String, now: Date) throws {
        let held = try PostgresJob(job)
        try PostgresBlocking.wait { [jobs] in try await jobs.noteError(held, owner: owner, error: error, now: now) }
    }

    public func unfinishedCount() throws -> Int {
        try PostgresBlocking.wait { [jobs] in try await jobs.unfinishedCount() }
    }

    public func job(stem: String) throws -> Job? {
        try PostgresBlocking.wait { [jobs] in try await jobs.job(stem: stem) }.map(Job.init(postgres:))
    }

    public func nextClaimableAt() throws -> Date? {
        try PostgresBlocking.wait { [jobs] in try await jobs.nextClaimableAt() }
    }

    public func call(id: String) throws -> CallRecord? {
        try PostgresBlocking.wait { [index] in
            try await index.query("reading call \(id)", "SELECT * FROM calls WHERE id = \(id)").first.map(PostgresCallColumns.record)
        }
    }

    /// The server cannot be reached or refused the login (``PostgresIndexError/Kind/unreachable``).
    public func isUnavailable(_ error: any Error) -> Bool {
        (error as? PostgresIndexError)?.kind == .unreachable
    }

    // MARK: The archive's identity

    public func identity() throws -> String? {
        try PostgresBlocking.wait { [index] in try await index.meta("index_id") }
    }

    public func recordedArchiveRoot() throws -> String? {
        try PostgresBlocking.wait { [index] in try await index.meta("archive_root") }
    }

    public func recordArchiveRoot(_ root: String) throws {
        try PostgresBlocking.wait { [index] in try await index.setMeta("archive_root", root) }
    }

    public func callCount() throws -> Int {
        try PostgresBlocking.wait { [index] in try await index.callCount() }
    }

    public func newestArchivePaths(limit: Int) throws -> [String] {
        try PostgresBlocking.wait { [index] in
            try await index.query("reading the newest archive paths", """
                SELECT archive_path FROM calls WHERE audio_purged_at IS NULL ORDER BY started_at DESC LIMIT \(limit)
                """).map { try $0.decode(String.self) }
        }
    }

    /// The PostgreSQL id of a job this queue gave out (its jobs always have one).
    static func id(of job: Job) throws -> Int64 {
        guard let id = job.id else { throw PostgresIndexError(.statement, "PostgreSQL index: job \(job.stem) has no id (it was never queued)") }
        return id
    }
}

extension Job {
    /// The queue's job as the worker sees it.
    init(postgres job: PostgresJob) {
        self = .restored(id: job.id, stem: job.stem, audioName: job.audioName, state: Job.State(rawValue: job.state.rawValue) ?? .pending,
                  attempts: job.attempts, claims: job.claims, availableAt: job.availableAt, leaseOwner: job.leaseOwner,
                  leaseExpiresAt: job.leaseExpiresAt, recordID: job.recordID, lastError: job.lastError,
                  createdAt: job.createdAt, updatedAt: job.updatedAt)
    }
}

extension PostgresJob {
    /// The worker's job, for the queue's transitions (they need its id, and its stem for errors).
    init(_ job: Job) throws {
        id = try PostgresQueueStore.id(of: job)
        stem = job.stem
        audioName = job.audioName
        state = State(rawValue: job.state.rawValue) ?? .pending
        attempts = job.attempts
        claims = job.claims
        availableAt = job.availableAt
        leaseOwner = job.leaseOwner
        leaseExpiresAt = job.leaseExpiresAt
        recordID = job.recordID
        lastError = job.lastError
        createdAt = job.createdAt
        updatedAt = job.updatedAt
    }
}
