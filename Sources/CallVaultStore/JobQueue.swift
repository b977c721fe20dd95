import CallVaultCore
import Foundation
import GRDB

/// The durable job queue in the index: enqueue spool pairs, claim with a lease, finish exactly once.
/// The SQLite implementation of ``QueueStore``; the ingest transaction's steps are in JobQueue+Ingest.swift.
///
/// Every transition is one SQLite write transaction, so any number of workers in any number of
/// processes can share the queue; a claim moves one job from ready to `running` atomically.
public struct JobQueue: Sendable {
    public let index: CallIndex
    public var leaseSeconds: Double
    /// The config's windows for linking calls to web call-backs and pool sessions at ingest.
    public var attributionWindows: AttributionWindows

    public init(index: CallIndex, leaseSeconds: Double = 120, attributionWindows: AttributionWindows = Registry.defaultWindows) {
        self.index = index
        self.leaseSeconds = leaseSeconds
        self.attributionWindows = attributionWindows
    }

    /// Records arrivals; a stem whose job had finished (done or failed) but whose files are back
    /// (`stillPresent`, checked inside the transaction) is queued again. Returns how many became ready.
    @discardableResult
    public func enqueue(_ arrivals: [SpoolArrival], now: Date, stillPresent: (SpoolArrival) -> Bool) throws -> Int {
        let t = now.timeIntervalSince1970
        return try index.pool.write { db in
            var ready = 0
            for arrival in arrivals {
                if var job = try Job.filter(Column("stem") == arrival.stem).fetchOne(db) {
                    guard job.state == .done || job.state == .failed, stillPresent(arrival) else { continue }
                    // A new delivery under a finished stem is a new pair: it must be read, not taken
                    // for the call the job archived before (whose record id it would otherwise keep).
                    job.recordID = nil
                    job.state = .pending
                    job.audioName = arrival.audioName
                    job.attempts = 0
                    job.claims = 0
                    job.availableAt = t
                    job.leaseOwner = nil
                    job.leaseExpiresAt = nil
                    job.lastError = nil
                    job.updatedAt = t
                    try job.update(db)
                } else {
                    var job = Job(id: nil, stem: arrival.stem, audioName: arrival.audioName, state: .pending, attempts: 0,
                                  claims: 0, availableAt: t, leaseOwner: nil, leaseExpiresAt: nil, recordID: nil,
                                  lastError: nil, createdAt: t, updatedAt: t)
                    try job.insert(db)
                }
                ready += 1
            }
            return ready
        }
    }

    /// Returns jobs of dead owners (``LeaseOwner/isAlive(_:)``) to the queue at once, without waiting for the lease.
    public func recoverAbandoned(now: Date, isAlive: (String) -> Bool) throws -> Int {
        let t = now.timeIntervalSince1970
        return try index.pool.write { db in
            let held = try Job.filter([Job.State.running.rawValue, Job.State.archived.rawValue].contains(Column("state"))).fetchAll(db)
            var recovered = 0
            for var job in held where !(job.leaseOwner.map(isAlive) ?? false) {
                job.leaseExpiresAt = t - 1
                job.updatedAt = t
                try job.update(db)
                recovered += 1
            }
            return recovered
        }
    }

    /// Claims the oldest ready job: pending and due, or held under an expired lease.
    public func claim(owner: String, now: Date) throws -> Job? {
        let t = now.timeIntervalSince1970
        return try index.pool.write { db in
            let ready = try Job.fetchOne(db, sql: """
                SELECT * FROM jobs
                WHERE (state = 'pending' AND available_at <= ?)
                   OR (state IN ('running', 'archived') AND lease_expires_at < ?)
                ORDER BY id LIMIT 1
                """, arguments: [t, t])
            guard var job = ready else { return nil }
            job.state = .running
            job.leaseOwner = owner
            job.leaseExpiresAt = t + leaseSeconds
            job.claims += 1
            job.updatedAt = t
            try job.update(db)
            return job
        }
    }

    /// Extends a lease; false when the job is no longer this owner's.
    public func renew(_ job: Job, owner: String, now: Date) throws -> Bool {
        try index.pool.write { db in try extendLease(db, job, owner: owner, now: now) }
    }

    /// Extends `owner`'s lease on `job` inside `db`'s transaction; false when it is no longer theirs.
    func extendLease(_ db: Database, _ job: Job, owner: String, now: Date) throws -> Bool {
        let t = now.timeIntervalSince1970
        try db.execute(sql: """
            UPDATE jobs SET lease_expires_at = ?, updated_at = ?
            WHERE id = ? AND lease_owner = ? AND state IN ('running', 'archived')
            """, arguments: [t + leaseSeconds, t, job.id, owner])
        return db.changesCount == 1
    }

    /// Puts a committed job's archive file in place while holding the lease: one write transaction
    /// takes SQLite's write lock with the lease check (so no other worker can claim the job until
    /// it ends), records a re-encoded file's SHA-256s and size when `replacing` is given, and runs
    /// `rename` inside it. Returns false, renaming nothing, when the job is no longer this owner's:
    /// a stale holder's late rename never lands. A throwing `rename` rolls the record back.
    public func placeArchiveFile(_ job: Job, owner: String, recordID: String, replacing: (sha256: String, bytes: Int, opusSha256: String)? = nil,
                                 now: Date, rename: () throws -> Void) throws -> Bool {
        try index.pool.write { db in
            // A write first: the lease check itself takes the write lock, held until commit.
            guard try extendLease(db, job, owner: owner, now: now) else { return false }
            if let replacing {
                try db.execute(sql: "UPDATE calls SET sha256 = ?, bytes = ?, opus_sha256 = ? WHERE id = ?",
                               arguments: [replacing.sha256, replacing.bytes, replacing.opusSha256, recordID])
            }
            try rename()
            return true
        }
    }

    /// True when no job that made `recordID` can still come back to put its file in place (every
    /// such job is done or failed): another pair of the same call may then restore the file.
    public func recordJobsFinished(recordID: String) throws -> Bool {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs WHERE record_id = ? AND state NOT IN ('done', 'failed')",
                             arguments: [recordID]) == 0
        }
    }

    /// The inputs are gone from `incoming/`: the job is `done`.
    public func markDone(_ job: Job, owner: String, recordID: String?, note: String? = nil, now: Date) throws {
        try transition(job, owner: owner, now: now,
                       sql: "state = 'done', record_id = COALESCE(?, record_id), last_error = ?, lease_owner = NULL, lease_expires_at = NULL",
                       arguments: [recordID, note])
    }

    /// A transient failure: back to `pending` after `retryAt`, one attempt used.
    public func retry(_ job: Job, owner: String, error: String, retryAt: Date, now: Date) throws {
        try transition(job, owner: owner, now: now,
                       sql: "state = 'pending', attempts = attempts + 1, last_error = ?, available_at = ?, lease_owner = NULL, lease_expires_at = NULL",
                       arguments: [error, retryAt.timeIntervalSince1970])
    }

    /// Back to `pending` without using an attempt (shutdown, full disk).
    public func release(_ job: Job, owner: String, reason: String?, now: Date) throws {
        try transition(job, owner: owner, now: now,
                       sql: "state = 'pending', claims = MAX(claims - 1, 0), last_error = COALESCE(?, last_error), available_at = ?, lease_owner = NULL, lease_expires_at = NULL",
                       arguments: [reason, now.timeIntervalSince1970])
    }

    /// Quarantined: the pair is in `failed/`.
    public func markFailed(_ job: Job, owner: String, error: String, now: Date) throws {
        try transition(job, owner: owner, now: now,
                       sql: "state = 'failed', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_expires_at = NULL",
                       arguments: [error])
    }

    /// Jobs not yet finished: pending (due or waiting for a retry), running or archived.
    public func unfinishedCount() throws -> Int {
        try index.pool.read { db in
            try Job.filter(["pending", "running", "archived"].contains(Column("state"))).fetchCount(db)
        }
    }

    public func job(stem: String) throws -> Job? {
        try index.pool.read { db in try Job.filter(Column("stem") == stem).fetchOne(db) }
    }

    func holds(_ db: Database, job: Job, owner: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT lease_owner = ? AND state IN ('running', 'archived') FROM jobs WHERE id = ?",
                          arguments: [owner, job.id]) ?? false
    }

    private func transition(_ job: Job, owner: String, now: Date, sql: String, arguments: StatementArguments) throws {
        let t = now.timeIntervalSince1970
        try index.pool.write { db in
            guard try holds(db, job: job, owner: owner) else { return }
            try db.execute(sql: "UPDATE jobs SET \(sql), updated_at = ? WHERE id = ?", arguments: arguments + [t, job.id])
        }
    }
}

extension JobQueue {
    /// Records why a job is about to be quarantined, before its files move, so a crash mid-move
    /// can finish the quarantine with the same reason.
    public func noteError(_ job: Job, owner: String, error: String, now: Date) throws {
        try index.pool.write { db in
            try db.execute(sql: "UPDATE jobs SET last_error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
                           arguments: [error, now.timeIntervalSince1970, job.id, owner])
        }
    }
}
