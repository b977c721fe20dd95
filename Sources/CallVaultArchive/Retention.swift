import CallVaultCore
import CallVaultFaultInjection
import CallVaultFiles
import CallVaultStore
import Foundation
import GRDB

/// Applies a ``RetentionPolicy`` to the index and the archive.
///
/// Order of effects, so that a kill at any moment followed by a rerun ends where one clean run
/// would: the record is marked `audio_purged_at` and the deletion audited in one transaction,
/// then the file is unlinked and its folder fsynced (a failed fsync is an error, like a failed
/// unlink); every run first removes files whose record already says purged.
/// A record is deleted (with its audit entry) only after its audio is purged. Held calls are skipped.
public struct Retention: Sendable {
    public let index: CallIndex
    public let archiveRoot: String
    /// The `now` given to ``recompute(_:now:dryRun:)`` and ``apply(_:now:)`` is not the real time
    /// (`retention apply --now`): audit entries stay dated by the real clock and carry the
    /// simulated time in their details as `simulated_now`.
    public var simulatedClock = false

    public init(index: CallIndex, archiveRoot: String) {
        self.index = index
        self.archiveRoot = archiveRoot
    }

    /// One call that retention removes something of.
    public struct Item: Codable, Sendable, Equatable {
        public enum Action: String, Codable, Sendable { case deleteAudio = "delete_audio", deleteRecord = "delete_record" }
        public var id: String
        public var callID: String
        public var startedAt: String
        public var campaign: String?
        public var outcome: Outcome
        public var action: Action
        public var rule: String
        public var until: String
        public var bytes: Int
        public var durationMs: Int
        public var sha256: String
        public var archivePath: String
        /// The audio file is still there (a record deletion also deletes it).
        public var audioPresent: Bool

        enum CodingKeys: String, CodingKey {
            case id, callID = "call_id", startedAt = "started_at", campaign, outcome, action, rule, until, bytes
            case durationMs = "duration_ms", sha256, archivePath = "archive_path", audioPresent = "audio_present"
        }
    }

    public struct Plan: Sendable {
        public var items: [Item]
        public var heldSkipped: Int
        public var calls: Int { Set(items.map(\.id)).count }
        public var audioBytes: Int { items.filter(\.audioPresent).reduce(0) { $0 + $1.bytes } }
        public var audioMs: Int { items.filter(\.audioPresent).reduce(0) { $0 + $1.durationMs } }
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var audioDeleted = 0
        public var recordsDeleted = 0
        public var bytesFreed = 0
        public var audioMs = 0
        public var heldSkipped = 0
        public var datesRecomputed = 0
        public var leftoverFilesRemoved = 0
        public var policyChanged = false
        /// Planned calls that were no longer due when their turn came (re-attributed meanwhile,
        /// e.g. by a `numbers import`, to a campaign kept longer); their new dates are stored.
        public var noLongerDue = 0

        enum CodingKeys: String, CodingKey {
            case noLongerDue = "no_longer_due"
            case audioDeleted = "audio_deleted", recordsDeleted = "records_deleted", bytesFreed = "bytes_freed"
            case audioMs = "audio_ms", heldSkipped = "held_skipped", datesRecomputed = "dates_recomputed"
            case leftoverFilesRemoved = "leftover_files_removed", policyChanged = "policy_changed"
        }
    }

    /// Sets `retain_*_until` and `retention_rule` of every call from `policy`; returns how many changed.
    /// A changed policy is recorded in the audit log (once per change).
    public func recompute(_ policy: RetentionPolicy, now: Date, dryRun: Bool = false) throws -> (changed: Int, policyChanged: Bool) {
        try index.pool.write { db in
            let previous = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'retention_policy'")
            let policyChanged = previous != nil && previous != policy.fingerprint
            var changed = 0
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, campaign, source, outcome, tracking_number, started_at, retain_audio_until, retain_record_until, retention_rule
                FROM calls
                """)
            var updates: [(String, String, String, String)] = []
            while let row = try rows.next() {
                guard let started = Timestamp.parseInstant(row["started_at"]) else { continue }
                let facts = RetentionPolicy.Facts(campaign: row["campaign"], source: row["source"],
                                                  outcome: try row.outcome(),
                                                  trackingNumber: row["tracking_number"], startedAt: started)
                let r = policy.retention(for: facts)
                let audio = Self.format(r.audioUntil), record = Self.format(r.recordUntil)
                let stored: (audio: String?, record: String?, rule: String?) = (row["retain_audio_until"], row["retain_record_until"], row["retention_rule"])
                if stored.audio != audio || stored.record != record || stored.rule != r.rule {
                    updates.append((row["id"], audio, record, r.rule))
                }
            }
            changed = updates.count
            if dryRun { return (changed, policyChanged) }
            for u in updates {
                try db.execute(sql: "UPDATE calls SET retain_audio_until = ?, retain_record_until = ?, retention_rule = ? WHERE id = ?",
                               arguments: [u.1, u.2, u.3, u.0])
            }
            if previous != policy.fingerprint {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('retention_policy', ?)", arguments: [policy.fingerprint])
                try AuditLog.append(db, action: previous == nil ? "policy_set" : "policy_changed", ids: [],
                                    reason: previous == nil ? "first retention policy recorded" : "retention policy changed; dates recomputed",
                                    details: ["rules": policy.rules.map { "\($0.name): audio \($0.keepAudioDays) d, record \($0.keepRecordDays) d" }.joined(separator: "; "),
                                              "calls_recomputed": "\(changed)"].merging(clockDetails(now)) { $1 })
            }
            return (changed, policyChanged)
        }
    }

    /// `simulated_now` for an audit entry's details when the clock is simulated.
    private func clockDetails(_ now: Date) -> [String: String] {
        simulatedClock ? ["simulated_now": Timestamp.format(now)] : [:]
    }

    /// `9999-12-31T23:59:59Z` stands for "never".
    static func format(_ date: Date) -> String { IndexTime.text(date) }

    /// What is due at `now`, held calls left out.
    public func plan(now: Date) throws -> Plan {
        let t = Timestamp.format(now)
        return try index.pool.read { db in
            let held = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM calls WHERE ((retain_audio_until <= ? AND audio_purged_at IS NULL) OR retain_record_until <= ?)
                AND \(Holds.heldCondition)
                """, arguments: [t, t]) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, call_id, started_at, campaign, outcome, retention_rule, retain_audio_until, retain_record_until,
                       bytes, duration_ms, sha256, archive_path, audio_purged_at
                FROM calls
                WHERE ((retain_audio_until <= ? AND audio_purged_at IS NULL) OR retain_record_until <= ?)
                  AND NOT \(Holds.heldCondition)
                ORDER BY started_at, id
                """, arguments: [t, t])
            let items = try rows.map { row -> Item in
                let recordDue = (row["retain_record_until"] as String? ?? "9") <= t
                return Item(id: row["id"], callID: row["call_id"], startedAt: row["started_at"], campaign: row["campaign"],
                            outcome: try row.outcome(), action: recordDue ? .deleteRecord : .deleteAudio, rule: row["retention_rule"] ?? "",
                            until: recordDue ? row["retain_record_until"] : row["retain_audio_until"], bytes: row["bytes"],
                            durationMs: row["duration_ms"], sha256: row["sha256"], archivePath: row["archive_path"],
                            audioPresent: (row["audio_purged_at"] as String?) == nil)
            }
            return Plan(items: items, heldSkipped: held)
        }
    }

    /// Why a planned deletion did not happen when its transaction looked again.
    enum Recheck { case due(rule: String, until: String), held, notDue, gone }

    /// Looks at one call again inside the deleting transaction: a hold placed since planning wins,
    /// and the call's rule is recomputed from its current attribution (a `numbers import` may have
    /// moved it to a campaign kept longer), its stored dates corrected when they changed.
    private static func recheck(_ db: Database, id: String, audio: Bool, policy: RetentionPolicy?, now: Date) throws -> Recheck {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT campaign, source, outcome, tracking_number, started_at, retain_audio_until, retain_record_until,
                   retention_rule, audio_purged_at, \(Holds.heldCondition) AS held
            FROM calls WHERE id = ?
            """, arguments: [id]) else { return .gone }
        if audio ? (row["audio_purged_at"] as String?) != nil : (row["audio_purged_at"] as String?) == nil { return .gone }
        if row["held"] as Bool { return .held }
        var audioUntil: String? = row["retain_audio_until"], recordUntil: String? = row["retain_record_until"]
        var rule: String = row["retention_rule"] ?? ""
        if let policy, let started = Timestamp.parseInstant(row["started_at"]) {
            let facts = RetentionPolicy.Facts(campaign: row["campaign"], source: row["source"],
                                              outcome: try row.outcome(call: id),
                                              trackingNumber: row["tracking_number"], startedAt: started)
            let r = policy.retention(for: facts)
            if format(r.audioUntil) != audioUntil || format(r.recordUntil) != recordUntil || r.rule != rule {
                (audioUntil, recordUntil, rule) = (format(r.audioUntil), format(r.recordUntil), r.rule)
                try db.execute(sql: "UPDATE calls SET retain_audio_until = ?, retain_record_until = ?, retention_rule = ? WHERE id = ?",
                               arguments: [audioUntil, recordUntil, rule, id])
            }
        }
        let t = Timestamp.format(now)
        guard let until = audio ? audioUntil : recordUntil, until <= t else { return .notDue }
        return .due(rule: rule, until: until)
    }

    /// Carries out `plan`. Safe to interrupt and rerun. With `policy`, each call's rule is
    /// recomputed in the transaction that deletes it, so a call re-attributed since planning is
    /// judged by the rule it has now.
    public func apply(_ plan: Plan, policy: RetentionPolicy? = nil, now: Date) throws -> Summary {
        var summary = Summary()
        summary.heldSkipped = plan.heldSkipped
        FaultInjection.point("retention.before-apply")
        summary.leftoverFilesRemoved = try removeFilesOfPurgedRecords()
        for item in plan.items {
            if item.audioPresent {
                let outcome = try index.pool.write { db -> Recheck in
                    let check = try Self.recheck(db, id: item.id, audio: true, policy: policy, now: now)
                    guard case .due(let rule, let until) = check else { return check }
                    try db.execute(sql: "UPDATE calls SET audio_purged_at = ? WHERE id = ?", arguments: [Timestamp.format(now), item.id])
                    try AuditLog.append(db, action: "audio_deleted", ids: [item.id],
                                        reason: "retention rule \(rule.debugDescription): audio kept until \(until)",
                                        sha256: item.sha256, details: ["archive_path": item.archivePath, "call_id": item.callID].merging(clockDetails(now)) { $1 })
                    return check
                }
                switch outcome {
                case .held: summary.heldSkipped += 1; continue
                case .notDue: summary.noLongerDue += 1; continue
                case .gone: continue
                case .due: break
                }
                FaultInjection.point("retention.after-audio-commit")
                try unlinkArchiveFile(item.archivePath)
                FaultInjection.point("retention.after-unlink")
                summary.audioDeleted += 1
                summary.bytesFreed += item.bytes
                summary.audioMs += item.durationMs
            }
            if item.action == .deleteRecord {
                let outcome = try index.pool.write { db -> Recheck in
                    let check = try Self.recheck(db, id: item.id, audio: false, policy: policy, now: now)
                    guard case .due(let rule, let until) = check else { return check }
                    try db.execute(sql: "DELETE FROM calls WHERE id = ?", arguments: [item.id])
                    try AuditLog.append(db, action: "record_deleted", ids: [item.id],
                                        reason: "retention rule \(rule.debugDescription): record kept until \(until)",
                                        sha256: item.sha256, details: ["call_id": item.callID, "started_at": item.startedAt].merging(clockDetails(now)) { $1 })
                    return check
                }
                switch outcome {
                case .due: summary.recordsDeleted += 1
                case .held: if !item.audioPresent { summary.heldSkipped += 1 }
                case .notDue: if !item.audioPresent { summary.noLongerDue += 1 }
                case .gone: break
                }
                FaultInjection.point("retention.after-record-delete")
            }
        }
        return summary
    }

    /// Files whose record says purged (a run interrupted between commit and unlink): delete them.
    func removeFilesOfPurgedRecords() throws -> Int {
        let paths = try index.pool.read { db in
            try String.fetchAll(db, sql: "SELECT archive_path FROM calls WHERE audio_purged_at IS NOT NULL")
        }
        var removed = 0
        for p in paths where FileManager.default.fileExists(atPath: archiveRoot + "/" + p) {
            try unlinkArchiveFile(p)
            removed += 1
        }
        return removed
    }

    private func unlinkArchiveFile(_ relative: String) throws {
        precondition(!relative.contains(".."), "archive paths never climb")
        let path = archiveRoot + "/" + relative
        let removed: Bool
        do throws(FileSystemError) {
            removed = try FileMove.remove(path)
        } catch {
            throw IndexError(.unusable, "cannot delete \(path): \(error.reason)")
        }
        // The unlink is durable only once its folder is fsynced; a failure there is reported, not
        // ignored (the record already says purged, so a rerun finds nothing left to undo). A file
        // that was already gone changed nothing in the folder.
        guard removed else { return }
        do throws(FileSystemError) {
            try DirectorySync.syncFolder(of: path)
        } catch {
            throw IndexError(.unusable, "\(path) was deleted but its folder could not be made durable: \(error)")
        }
    }
}
