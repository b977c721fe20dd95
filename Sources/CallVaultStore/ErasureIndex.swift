import CallVaultCore
import Crypto
import Foundation
import GRDB

/// The erasure request's statements on the index (`callvault erase`), each re-checked and audited
/// in the transaction that makes it, as ``RetentionIndex``'s are.
///
/// CallVaultArchive's `Erasure` orchestrates them with the file deletion: the audio is marked
/// erased and audited first, then the file is unlinked, then the record and everything that
/// names it go in one more transaction. A kill between steps leaves a record that says its audio
/// is gone; the next run (or `retention apply`) deletes a file left behind, and a rerun of the
/// same request erases the record.
///
/// The caller's number never enters the audit log: entries carry ``callerHash(_:in:)``, the
/// SHA-256 of the index's erasure salt (`meta` key `erasure_salt`, 32 random bytes made by the
/// first erasure) and the number. Whoever holds the index can tell whether a given number was
/// erased; an audit export or an evidence bundle alone cannot.
public struct ErasureIndex: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    /// One call of the request, as the index has it now.
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var callID: String
        public var startedAt: String
        public var campaign: String?
        public var caller: String?
        public var sha256: String
        public var archivePath: String
        public var bytes: Int
        public var durationMs: Int
        public var audioPurged: Bool

        public init(id: String, callID: String, startedAt: String, campaign: String?, caller: String?, sha256: String,
                    archivePath: String, bytes: Int, durationMs: Int, audioPurged: Bool) {
            self.id = id
            self.callID = callID
            self.startedAt = startedAt
            self.campaign = campaign
            self.caller = caller
            self.sha256 = sha256
            self.archivePath = archivePath
            self.bytes = bytes
            self.durationMs = durationMs
            self.audioPurged = audioPurged
        }
    }

    /// Why a call is kept; nil in a ``Decision`` means it may be erased.
    public enum KeepReason: Sendable, Equatable {
        /// Active legal holds cover it (their names).
        case held([String])
        /// Its retention rule's `min_keep_days` has not passed.
        case mandatoryMinimum(rule: String, days: Int, until: String)
        /// A worker is still putting its file in place (its job is not done): try again later.
        case beingArchived
    }

    /// What the index says about one call now.
    public enum Decision: Sendable, Equatable {
        case erase
        case keep(KeepReason)
        /// Not in the index (any more).
        case gone
    }

    /// The calls of `caller` (an E.164 number, or the text as stored) or with these archive ids,
    /// oldest first, and the requested ids that match no call.
    public func candidates(caller: String?, ids: [String]) throws -> (calls: [Candidate], unknownIDs: [String]) {
        try index.pool.read { db in
            var rows: [Row] = []
            let columns = Self.candidateColumns
            if let caller {
                rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM calls WHERE caller = ? ORDER BY started_at, id", arguments: [caller])
            }
            var unknown: [String] = []
            for id in ids {
                if let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM calls WHERE id = ?", arguments: [id]) {
                    if !rows.contains(where: { ($0["id"] as String) == id }) { rows.append(row) }
                } else if !unknown.contains(id) {
                    unknown.append(id)
                }
            }
            let calls = rows.map { row in
                Candidate(id: row["id"], callID: row["call_id"], startedAt: row["started_at"], campaign: row["campaign"],
                          caller: row["caller"], sha256: row["sha256"], archivePath: row["archive_path"], bytes: row["bytes"],
                          durationMs: row["duration_ms"], audioPurged: (row["audio_purged_at"] as String?) != nil)
            }
            return (calls, unknown)
        }
    }

    /// The decision for each call at `now` under `policy`, read in one snapshot (a dry run, a plan).
    public func decisions(for ids: [String], policy: RetentionPolicy?, now: Date) throws -> [String: Decision] {
        try index.pool.read { db in
            var out: [String: Decision] = [:]
            for id in ids { out[id] = try Self.decide(db, id: id, policy: policy, now: now) }
            return out
        }
    }

    /// What an erasure request is, for its audit entries: who asked, why, and the caller's hash.
    public struct Request: Sendable, Equatable {
        public var by: String
        public var reason: String
        /// ``callerHash(_:in:)`` of the requested caller; nil for a request by ids.
        public var callerHash: String?

        public init(by: String, reason: String, callerHash: String?) {
            self.by = by
            self.reason = reason
            self.callerHash = callerHash
        }

        public var details: [String: String] {
            var d = ["by": by]
            if let callerHash { d["caller_hash"] = callerHash }
            return d
        }
    }

    /// Marks the call's audio erased (`audio_purged_at`) and audits `audio_erased`, in one
    /// transaction, if the call may still be erased. The caller unlinks the file after this
    /// commits, never before.
    public func markAudioErased(_ call: Candidate, request: Request, policy: RetentionPolicy?, now: Date) throws -> Decision {
        try index.pool.write { db in
            let decision = try Self.decide(db, id: call.id, policy: policy, now: now)
            guard decision == .erase else { return decision }
            try db.execute(sql: "UPDATE calls SET audio_purged_at = ? WHERE id = ? AND audio_purged_at IS NULL",
                           arguments: [Timestamp.format(now), call.id])
            // Audited only when this request erased it: audio already purged (by retention, or by
            // another request erasing the same call at the same time) is not erased twice.
            if db.changesCount > 0 {
                try AuditLog.append(db, action: "audio_erased", ids: [call.id], reason: request.reason, sha256: call.sha256,
                                    details: request.details.merging(["archive_path": call.archivePath]) { $1 })
            }
            return decision
        }
    }

    /// Deletes the call's record and everything in the index that names it — finished jobs that
    /// made it, its id in holds' id lists (report aggregates follow by trigger) — and audits
    /// `record_erased`, in one transaction, if the call may still be erased.
    public func deleteRecord(_ call: Candidate, request: Request, policy: RetentionPolicy?, now: Date) throws -> Decision {
        try index.pool.write { db in
            let decision = try Self.decide(db, id: call.id, policy: policy, now: now)
            guard decision == .erase else { return decision }
            try db.execute(sql: "DELETE FROM jobs WHERE record_id = ?", arguments: [call.id])
            try db.execute(sql: """
                UPDATE holds SET call_ids = (SELECT json_group_array(j.value) FROM json_each(holds.call_ids) j WHERE j.value <> ?)
                WHERE call_ids IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(holds.call_ids) j WHERE j.value = ?)
                """, arguments: [call.id, call.id])
            try db.execute(sql: "DELETE FROM calls WHERE id = ?", arguments: [call.id])
            try AuditLog.append(db, action: "record_erased", ids: [call.id], reason: request.reason, sha256: call.sha256,
                                details: request.details.merging(["started_at": call.startedAt]) { $1 })
            return decision
        }
    }

    /// Ends a request: for a caller whose calls are now all gone, deletes the caller's directory
    /// entry (and the directory's import fingerprint, so the next import of a file that still
    /// lists the number is a real import, not "unchanged"); then audits `erasure` with the
    /// erased and kept ids. Returns whether a directory entry was deleted.
    public func finish(request: Request, caller: String?, erased: [String], kept: [String: String],
                       extraDetails: [String: String] = [:]) throws -> (directoryEntryDeleted: Bool, seq: Int64) {
        try index.pool.write { db in
            var deleted = false
            if let caller, try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE caller = ?", arguments: [caller]) == 0 {
                try db.execute(sql: "DELETE FROM caller_directory WHERE number = ?", arguments: [caller])
                deleted = db.changesCount > 0
                if deleted { try db.execute(sql: "DELETE FROM meta WHERE key = 'caller_directory_fingerprint'") }
            }
            let details = Self.finishDetails(request, erased: erased, kept: kept, directoryEntryDeleted: deleted, extraDetails: extraDetails)
            try AuditLog.append(db, action: "erasure", ids: erased, reason: request.reason, details: details)
            return (deleted, db.lastInsertedRowID)
        }
    }

    /// The index's erasure salt, made (32 random bytes, hex) by the first call.
    public func salt() throws -> String {
        try index.pool.write { db in
            if let salt = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'erasure_salt'") { return salt }
            let salt = Self.newSalt()
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('erasure_salt', ?)", arguments: [salt])
            return salt
        }
    }

    /// True when `retention apply` recorded a policy in this index: an erasure without one would
    /// ignore its mandatory minimums.
    public func retentionPolicyRecorded() throws -> Bool {
        try index.pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'retention_policy'") != nil }
    }

    /// The salt when an erasure already made one (a dry run makes none).
    public func existingSalt() throws -> String? {
        try index.pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'erasure_salt'") }
    }

    /// The caller as the audit log keeps it: SHA-256 of the salt, a colon and the number, hex.
    public static func callerHash(_ caller: String, salt: String) -> String {
        SHA256.hash(data: Data((salt + ":" + caller).utf8)).hexString
    }

    /// One call looked at again (``judge(_:holds:unfinishedJobs:policy:now:)``).
    static func decide(_ db: Database, id: String, policy: RetentionPolicy?, now: Date) throws -> Decision {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(judgedColumns) FROM calls WHERE id = ?", arguments: [id]) else { return .gone }
        let holds = try Holds.names(covering: [id], in: db)[id] ?? []
        let unfinished = try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs WHERE record_id = ? AND state NOT IN ('done', 'failed')",
                                          arguments: [id]) ?? 0
        let facts = try (policy == nil ? nil : Timestamp.parseInstant(row["started_at"])).map { started in
            RetentionPolicy.Facts(campaign: row["campaign"], source: row["source"], outcome: try row.outcome(call: id),
                                  trackingNumber: row["tracking_number"], startedAt: started)
        }
        return judge(facts, holds: holds, unfinishedJobs: unfinished, policy: policy, now: now)
    }
}
