import CallVaultCore
import Foundation
import GRDB

/// Retention's statements on the index, one transaction each: recompute every call's dates from a
/// policy, list what is due, and the two deletions (audio marked purged, record deleted), each
/// re-checked and audited in the transaction that makes it.
///
/// CallVaultArchive's `Retention` orchestrates these with the file deletions (commit here first,
/// then unlink and fsync the folder); it issues no SQL itself, so a second backend implements
/// these operations and retention does not change. ``RetentionStamp`` dates a new call at ingest.
public struct RetentionIndex: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) {
        self.index = index
    }

    /// Sets `retain_*_until` and `retention_rule` of every call from `policy`; returns how many
    /// changed. A changed policy is recorded (its fingerprint in `meta`) and audited once per change,
    /// with `extraDetails` (e.g. a simulated clock) in the entry's details. Nothing is written when
    /// `dryRun`. A call whose `started_at` is not a time is an error naming it: retention cannot
    /// date it, and skipping it would keep it forever.
    public func recompute(_ policy: RetentionPolicy, dryRun: Bool = false,
                          extraDetails: [String: String] = [:]) throws -> (changed: Int, policyChanged: Bool) {
        try index.pool.write { db in
            let previous = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'retention_policy'")
            let policyChanged = previous != nil && previous != policy.fingerprint
            let rows = try Row.fetchCursor(db, sql: "SELECT \(RetentionRow.columns) FROM calls")
            var updates: [(id: String, dates: RetentionRow.Dates)] = []
            while let row = try rows.next() {
                if let dates = try Self.retentionRow(row).newDates(policy) { updates.append((row["id"], dates)) }
            }
            let changed = updates.count
            if dryRun { return (changed, policyChanged) }
            for u in updates {
                try Self.storeDates(db, id: u.id, audio: u.dates.audio, record: u.dates.record, rule: u.dates.rule)
            }
            if previous != policy.fingerprint {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('retention_policy', ?)", arguments: [policy.fingerprint])
                let entry = Self.policyEntry(policy, previous: previous, changed: changed, extraDetails: extraDetails)
                try AuditLog.append(db, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
            }
            return (changed, policyChanged)
        }
    }

    /// One call with something due at the time asked, as the index has it.
    public struct DueCall: Sendable, Equatable {
        public var id: String
        public var callID: String
        public var startedAt: String
        public var campaign: String?
        public var outcome: Outcome
        public var rule: String
        /// The record itself is due (not only its audio).
        public var recordDue: Bool
        /// The date that made it due: `retain_record_until` when the record is due, else `retain_audio_until`.
        public var until: String
        public var bytes: Int
        public var durationMs: Int
        public var sha256: String
        public var archivePath: String
        /// The audio has not been purged yet.
        public var audioPresent: Bool
    }

    /// The calls due at `now` (audio not purged and `retain_audio_until` passed, or
    /// `retain_record_until` passed), oldest first, held calls left out and counted in `held`.
    public func due(at now: Date) throws -> (calls: [DueCall], held: Int) {
        let t = Timestamp.format(now)
        return try index.pool.read { db in
            let held = try Int.fetchOne(db, sql: Self.heldDueSQL(.sqlite), arguments: [t, t]) ?? 0
            let rows = try Row.fetchAll(db, sql: Self.dueSQL(.sqlite), arguments: [t, t])
            let calls = try rows.map { row -> DueCall in
                DueCall(id: row["id"], callID: row["call_id"], startedAt: row["started_at"], campaign: row["campaign"],
                        outcome: try row.outcome(), rule: row["retention_rule"], audioUntil: row["retain_audio_until"],
                        recordUntil: row["retain_record_until"], bytes: row["bytes"], durationMs: row["duration_ms"],
                        sha256: row["sha256"], archivePath: row["archive_path"], audioPurgedAt: row["audio_purged_at"], now: t)
            }
            return (calls, held)
        }
    }

    /// What a deletion's transaction found when it looked at the call again.
    public enum Recheck: Sendable, Equatable {
        /// Still due under `rule`, kept until `until`: the deletion was made and audited.
        case due(rule: String, until: String)
        /// A hold placed since planning covers it: nothing was deleted.
        case held
        /// Its recomputed dates say it is no longer due (the new dates are stored).
        case notDue
        /// The call, or its audio, is already gone.
        case gone
    }

    /// Marks the call's audio purged (`audio_purged_at = now`) and audits the deletion, in one
    /// transaction, if it is still due (see ``Recheck``). The caller unlinks the file after this
    /// commits, never before: a kill in between leaves a record that says purged and a file that
    /// ``purgedArchivePaths()`` finds on the next run.
    public func markAudioPurged(id: String, callID: String, sha256: String, archivePath: String,
                                policy: RetentionPolicy?, now: Date, extraDetails: [String: String] = [:]) throws -> Recheck {
        try index.pool.write { db in
            let check = try Self.recheck(db, id: id, audio: true, policy: policy, now: now)
            guard case .due(let rule, let until) = check else { return check }
            try db.execute(sql: "UPDATE calls SET audio_purged_at = ? WHERE id = ?", arguments: [Timestamp.format(now), id])
            try AuditLog.append(db, action: "audio_deleted", ids: [id],
                                reason: Self.deletionReason(rule: rule, until: until, audio: true),
                                sha256: sha256, details: ["archive_path": archivePath, "call_id": callID].merging(extraDetails) { $1 })
            return check
        }
    }

    /// Deletes the call's record (its audio already purged) and audits it, in one transaction, if
    /// it is still due (see ``Recheck``).
    public func deleteRecord(id: String, callID: String, startedAt: String, sha256: String,
                             policy: RetentionPolicy?, now: Date, extraDetails: [String: String] = [:]) throws -> Recheck {
        try index.pool.write { db in
            let check = try Self.recheck(db, id: id, audio: false, policy: policy, now: now)
            guard case .due(let rule, let until) = check else { return check }
            try db.execute(sql: "DELETE FROM calls WHERE id = ?", arguments: [id])
            try AuditLog.append(db, action: "record_deleted", ids: [id],
                                reason: Self.deletionReason(rule: rule, until: until, audio: false),
                                sha256: sha256, details: ["call_id": callID, "started_at": startedAt].merging(extraDetails) { $1 })
            return check
        }
    }

    /// Archive paths (relative) of the calls whose record says their audio is purged: a run
    /// interrupted between commit and unlink left some of these files behind.
    public func purgedArchivePaths() throws -> [String] {
        try index.pool.read { db in
            try String.fetchAll(db, sql: "SELECT archive_path FROM calls WHERE audio_purged_at IS NOT NULL")
        }
    }

    /// Looks at one call again inside the deleting transaction: a hold placed since planning wins,
    /// and the call's rule is recomputed from its current attribution (a `numbers import` may have
    /// moved it to a campaign kept longer), its stored dates corrected when they changed.
    private static func recheck(_ db: Database, id: String, audio: Bool, policy: RetentionPolicy?, now: Date) throws -> Recheck {
        guard let row = try Row.fetchOne(db, sql: recheckSQL(.sqlite), arguments: [id]) else { return .gone }
        let (check, changed) = try retentionRow(row, held: row["held"]).recheck(audio: audio, policy: policy, now: now)
        if let changed { try storeDates(db, id: id, audio: changed.audio, record: changed.record, rule: changed.rule) }
        return check
    }

    /// A ``RetentionRow`` from a row of its columns.
    private static func retentionRow(_ row: Row, held: Bool = false) throws -> RetentionRow {
        let id: String = row["id"]
        return RetentionRow(id: id, campaign: row["campaign"], source: row["source"], outcome: try row.outcome(call: id),
                            trackingNumber: row["tracking_number"], startedAt: row["started_at"], audioUntil: row["retain_audio_until"],
                            recordUntil: row["retain_record_until"], rule: row["retention_rule"], audioPurgedAt: row["audio_purged_at"],
                            held: held)
    }

    private static func storeDates(_ db: Database, id: String, audio: String, record: String, rule: String) throws {
        try db.execute(sql: "UPDATE calls SET retain_audio_until = ?, retain_record_until = ?, retention_rule = ? WHERE id = ?",
                       arguments: [audio, record, rule, id])
    }
}
