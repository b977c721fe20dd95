import Foundation
import PostgresNIO

/// The durable job queue on PostgreSQL, for workers on many machines: the SQLite queue's
/// (`JobQueue`) states, transitions and lease rules, one transaction each.
///
/// A claim picks the oldest ready job with `FOR UPDATE SKIP LOCKED`: concurrent claimers lock
/// different rows instead of waiting on one another, and never get the same job. A lease is held
/// by renewing it (a heartbeat, ``withHeartbeat(_:owner:every:now:_:)``); a worker that dies or
/// loses its network stops renewing, and once `lease_expires_at` passes, another claims the job.
/// `flock` does not span machines; this does.
///
/// Times are the callers' clocks in seconds since 1970, as on SQLite (tests walk through time
/// without sleeping): the machines sharing a queue keep their clocks synchronised (NTP).
///
/// Each queue value serves one spool (``spool``, the id in its `.callvault-spool` marker): it
/// enqueues, claims, counts and looks up that spool's jobs only, so a machine never claims a pair
/// it cannot read, and two spools' pairs under one stem are two jobs.
public struct PostgresJobQueue: Sendable {
    public let index: PostgresIndex
    public var leaseSeconds: Double
    /// The spool whose jobs this queue handles ('' in tests of the queue alone).
    public var spool: String

    /// A pair that arrived in a spool: its stem and its audio file's name.
    public struct Arrival: Sendable, Equatable {
        public var stem: String
        public var audioName: String
        public init(stem: String, audioName: String) {
            self.stem = stem
            self.audioName = audioName
        }
    }

    public init(index: PostgresIndex, leaseSeconds: Double = 120, spool: String = "") {
        self.index = index
        self.leaseSeconds = leaseSeconds
        self.spool = spool
    }

    /// Records arrivals; a stem whose job had finished (done or failed) but whose files are back
    /// (`stillPresent`, checked inside the transaction) is queued again. Returns how many became
    /// ready. Two machines enqueueing the same stem at once queue it once.
    ///
    /// `finishedAt` (from ``finished(stems:)``, read before the caller looked for the files): a
    /// finished stem is queued again only if its job is still the one seen finished then, not one
    /// that was queued again and finished since (its files, seen then, may be gone now).
    @discardableResult
    public func enqueue(_ arrivals: [Arrival], now: Date, finishedAt: [String: Double]? = nil,
                        stillPresent: (Arrival) -> Bool) async throws -> Int {
        let t = now.timeIntervalSince1970
        let logger = index.logger
        let spool = spool
        return try await index.transaction("enqueueing \(arrivals.count) pair(s)") { connection in
            var ready = 0
            for arrival in arrivals {
                let existing = try await connection.query(
                    "SELECT state, updated_at FROM jobs WHERE spool = \(spool) AND stem = \(arrival.stem) FOR UPDATE", logger: logger).collect()
                if let row = existing.first {
                    let (state, updatedAt) = try row.decode((String, Double).self)
                    guard state == PostgresJob.State.done.rawValue || state == PostgresJob.State.failed.rawValue, stillPresent(arrival) else { continue }
                    if let finishedAt, finishedAt[arrival.stem] != updatedAt { continue }
                    // A new delivery under a finished stem is a new pair: it must be read, not taken
                    // for the call the job archived before.
                    try await connection.query("""
                        UPDATE jobs SET record_id = NULL, state = 'pending', audio_name = \(arrival.audioName), attempts = 0, claims = 0,
                            available_at = \(t), lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = \(t)
                        WHERE spool = \(spool) AND stem = \(arrival.stem)
                        """, logger: logger)
                    ready += 1
                } else {
                    let inserted = try await connection.query("""
                        INSERT INTO jobs (spool, stem, audio_name, state, attempts, claims, available_at, created_at, updated_at)
                        VALUES (\(spool), \(arrival.stem), \(arrival.audioName), 'pending', 0, 0, \(t), \(t), \(t))
                        ON CONFLICT (spool, stem) DO NOTHING RETURNING id
                        """, logger: logger).collect()
                    ready += inserted.count
                }
            }
            return ready
        }
    }

    /// This spool's finished (done or failed) jobs among `stems`, each with the time it finished.
    /// A worker removes a pair's inputs before it marks the job finished, so files looked for
    /// after this read are a new delivery, not the inputs of a job that was finishing meanwhile.
    public func finished(stems: [String]) async throws -> [String: Double] {
        guard !stems.isEmpty else { return [:] }
        let rows = try await index.query("reading finished jobs", """
            SELECT stem, updated_at FROM jobs WHERE spool = \(spool) AND stem = ANY(\(stems)) AND state IN ('done', 'failed')
            """)
        var finished: [String: Double] = [:]
        for row in rows {
            let (stem, at) = try row.decode((String, Double).self)
            finished[stem] = at
        }
        return finished
    }

    /// Claims this spool's oldest ready job: pending and due, or held under an expired lease.
    /// Locked rows are skipped, so concurrent claimers take different jobs.
    public func claim(owner: String, now: Date) async throws -> PostgresJob? {
        let t = now.timeIntervalSince1970
        let expires = t + leaseSeconds
        let rows = try await index.query("claiming a job", """
            UPDATE jobs SET state = 'running', lease_owner = \(owner), lease_expires_at = \(expires), claims = claims + 1, updated_at = \(t)
            WHERE id = (
                SELECT id FROM jobs
                WHERE spool = \(spool)
                  AND ((state = 'pending' AND available_at <= \(t))
                    OR (state IN ('running', 'archived') AND lease_expires_at < \(t)))
                ORDER BY id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: PostgresJob.columns)
            """)
        return try rows.first.map(PostgresJob.init(row:))
    }

    /// Extends a lease; false when the job is no longer this owner's (taken over, or finished).
    public func renew(_ job: PostgresJob, owner: String, now: Date) async throws -> Bool {
        let t = now.timeIntervalSince1970
        let expires = t + leaseSeconds
        let rows = try await index.query("renewing the lease of job \(job.id)", """
            UPDATE jobs SET lease_expires_at = \(expires), updated_at = \(t)
            WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
            RETURNING id
            """)
        return rows.count == 1
    }

    /// Returns jobs of dead owners to the queue at once, without waiting for their leases. Only
    /// owners `isAlive` can judge (this machine's processes) should be reported dead.
    public func recoverAbandoned(now: Date, isAlive: (String) -> Bool) async throws -> Int {
        let t = now.timeIntervalSince1970
        let logger = index.logger
        return try await index.transaction("recovering abandoned jobs") { connection in
            let held = try await connection.query(
                "SELECT id, lease_owner FROM jobs WHERE state IN ('running', 'archived') FOR UPDATE SKIP LOCKED", logger: logger).collect()
            var recovered = 0
            for row in held {
                let (id, owner) = try row.decode((Int64, String?).self)
                guard !(owner.map(isAlive) ?? false) else { continue }
                try await connection.query("UPDATE jobs SET lease_expires_at = \(t - 1), updated_at = \(t) WHERE id = \(id)", logger: logger)
                recovered += 1
            }
            return recovered
        }
    }

    /// Puts a committed job's archive file in place while holding the lease: the lease is checked
    /// and extended in the transaction, whose row lock keeps every claimer off the job until it
    /// ends; `rename` runs inside it. False, renaming nothing, when the job is no longer this
    /// owner's: a stale holder's late rename never lands. A throwing `rename` rolls back.
    public func placeArchiveFile(_ job: PostgresJob, owner: String, recordID: String,
                                 replacing: (sha256: String, bytes: Int, opusSha256: String)? = nil,
                                 now: Date, rename: () throws -> Void) async throws -> Bool {
        let t = now.timeIntervalSince1970
        let expires = t + leaseSeconds
        let logger = index.logger
        return try await index.transaction("placing the archive file of \(recordID)") { connection in
            let held = try await connection.query("""
                UPDATE jobs SET lease_expires_at = \(expires), updated_at = \(t)
                WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
                RETURNING id
                """, logger: logger).collect()
            guard held.count == 1 else { return false }
            if let replacing {
                try await connection.query(
                    "UPDATE calls SET sha256 = \(replacing.sha256), bytes = \(replacing.bytes), opus_sha256 = \(replacing.opusSha256) WHERE id = \(recordID)",
                    logger: logger)
            }
            try rename()
            return true
        }
    }

    /// True when no job that made `recordID` can still come back to put its file in place.
    public func recordJobsFinished(recordID: String) async throws -> Bool {
        let rows = try await index.query("reading the jobs of \(recordID)",
                                         "SELECT count(*) FROM jobs WHERE record_id = \(recordID) AND state NOT IN ('done', 'failed')")
        return try rows.first?.decode(Int64.self) == 0
    }

    /// The inputs are gone from `incoming/`: the job is `done`.
    public func markDone(_ job: PostgresJob, owner: String, recordID: String?, note: String? = nil, now: Date) async throws {
        let t = now.timeIntervalSince1970
        _ = try await index.query("finishing job \(job.id)", """
            UPDATE jobs SET state = 'done', record_id = COALESCE(\(recordID), record_id), last_error = \(note),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(t)
            WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
            """)
    }

    /// A transient failure: back to `pending` after `retryAt`, one attempt used.
    public func retry(_ job: PostgresJob, owner: String, error: String, retryAt: Date, now: Date) async throws {
        let t = now.timeIntervalSince1970
        let at = retryAt.timeIntervalSince1970
        _ = try await index.query("retrying job \(job.id)", """
            UPDATE jobs SET state = 'pending', attempts = attempts + 1, last_error = \(error), available_at = \(at),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(t)
            WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
            """)
    }

    /// Back to `pending` without using an attempt (shutdown, full disk): the claim is given back.
    public func release(_ job: PostgresJob, owner: String, reason: String?, now: Date) async throws {
        let t = now.timeIntervalSince1970
        _ = try await index.query("releasing job \(job.id)", """
            UPDATE jobs SET state = 'pending', claims = GREATEST(claims - 1, 0), last_error = COALESCE(\(reason), last_error),
                available_at = \(t), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(t)
            WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
            """)
    }

    /// Quarantined: the pair is in `failed/`.
    public func markFailed(_ job: PostgresJob, owner: String, error: String, now: Date) async throws {
        let t = now.timeIntervalSince1970
        _ = try await index.query("quarantining job \(job.id)", """
            UPDATE jobs SET state = 'failed', attempts = attempts + 1, last_error = \(error),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(t)
            WHERE id = \(job.id) AND lease_owner = \(owner) AND state IN ('running', 'archived')
            """)
    }

    /// Records why a job is about to be quarantined, before its files move.
    public func noteError(_ job: PostgresJob, owner: String, error: String, now: Date) async throws {
        let t = now.timeIntervalSince1970
        _ = try await index.query("noting the error of job \(job.id)",
                                  "UPDATE jobs SET last_error = \(error), updated_at = \(t) WHERE id = \(job.id) AND lease_owner = \(owner)")
    }

    /// This spool's jobs not yet finished: pending (due or waiting for a retry), running or archived.
    public func unfinishedCount() async throws -> Int {
        let rows = try await index.query("counting unfinished jobs",
                                         "SELECT count(*) FROM jobs WHERE spool = \(spool) AND state IN ('pending', 'running', 'archived')")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func job(stem: String) async throws -> PostgresJob? {
        let rows = try await index.query("reading job \(stem)", "SELECT \(unescaped: PostgresJob.columns) FROM jobs WHERE spool = \(spool) AND stem = \(stem)")
        return try rows.first.map(PostgresJob.init(row:))
    }

    /// When this spool's next unfinished job becomes claimable if nothing else happens (a retry's
    /// `available_at`, or a held job's `lease_expires_at`); nil when none is unfinished.
    public func nextClaimableAt() async throws -> Date? {
        let rows = try await index.query("reading the next claimable time", """
            SELECT min(t) FROM (
                SELECT min(available_at) AS t FROM jobs WHERE spool = \(spool) AND state = 'pending'
                UNION ALL
                SELECT min(lease_expires_at) FROM jobs WHERE spool = \(spool) AND state IN ('running', 'archived')) AS due
            """)
        return try rows.first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
    }
}
