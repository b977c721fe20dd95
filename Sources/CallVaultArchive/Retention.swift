import CallVaultCore
import CallVaultFaultInjection
import CallVaultFiles
import CallVaultStore
import Foundation

/// Applies a ``RetentionPolicy`` to the index (either backend, through ``RetentionSource``) and the archive.
///
/// Order of effects, so that a kill at any moment followed by a rerun ends where one clean run
/// would: the record is marked `audio_purged_at` and the deletion audited in one transaction,
/// then the file is unlinked and its folder fsynced (a failed fsync is an error, like a failed
/// unlink); every run first removes files whose record already says purged.
/// A record is deleted (with its audit entry) only after its audio is purged. Held calls are skipped.
public struct Retention: Sendable {
    /// The index's half: every statement retention runs (``RetentionIndex`` on SQLite).
    public let source: any RetentionSource
    public let archiveRoot: String
    /// The `now` given to ``recompute(_:now:dryRun:)`` and ``apply(_:now:)`` is not the real time
    /// (`retention apply --now`): audit entries stay dated by the real clock and carry the
    /// simulated time in their details as `simulated_now`.
    public var simulatedClock = false

    public init(source: any RetentionSource, archiveRoot: String) {
        self.source = source
        self.archiveRoot = archiveRoot
    }

    public init(index: CallIndex, archiveRoot: String) {
        self.init(source: RetentionIndex(index: index), archiveRoot: archiveRoot)
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
    /// A changed policy is recorded in the audit log (once per change). A call whose `started_at`
    /// is not a time is an error naming it (``RetentionIndex/recompute(_:dryRun:extraDetails:)``).
    public func recompute(_ policy: RetentionPolicy, now: Date, dryRun: Bool = false) throws -> (changed: Int, policyChanged: Bool) {
        try indexSide.recompute(policy, dryRun: dryRun, extraDetails: clockDetails(now))
    }

    /// The index's half of retention: every statement retention runs.
    private var indexSide: any RetentionSource { source }

    /// `simulated_now` for an audit entry's details when the clock is simulated.
    private func clockDetails(_ now: Date) -> [String: String] {
        simulatedClock ? ["simulated_now": Timestamp.format(now)] : [:]
    }

    /// What is due at `now`, held calls left out.
    public func plan(now: Date) throws -> Plan {
        let due = try indexSide.due(at: now)
        let items = due.calls.map { call in
            Item(id: call.id, callID: call.callID, startedAt: call.startedAt, campaign: call.campaign, outcome: call.outcome,
                 action: call.recordDue ? .deleteRecord : .deleteAudio, rule: call.rule, until: call.until, bytes: call.bytes,
                 durationMs: call.durationMs, sha256: call.sha256, archivePath: call.archivePath, audioPresent: call.audioPresent)
        }
        return Plan(items: items, heldSkipped: due.held)
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
                // Commit first (marked purged and audited), then unlink and fsync the folder.
                let outcome = try indexSide.markAudioPurged(id: item.id, callID: item.callID, sha256: item.sha256,
                                                            archivePath: item.archivePath, policy: policy, now: now,
                                                            extraDetails: clockDetails(now))
                switch outcome {
                case .held: summary.heldSkipped += 1; continue
                case .notDue: summary.noLongerDue += 1; continue
                case .gone: continue
                case .due: break
                }
                FaultInjection.point("retention.after-audio-commit")
                try ArchiveFileRemoval.remove(item.archivePath, under: archiveRoot)
                FaultInjection.point("retention.after-unlink")
                summary.audioDeleted += 1
                summary.bytesFreed += item.bytes
                summary.audioMs += item.durationMs
            }
            if item.action == .deleteRecord {
                let outcome = try indexSide.deleteRecord(id: item.id, callID: item.callID, startedAt: item.startedAt,
                                                         sha256: item.sha256, policy: policy, now: now,
                                                         extraDetails: clockDetails(now))
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
        let paths = try indexSide.purgedArchivePaths()
        var removed = 0
        for p in paths where FileManager.default.fileExists(atPath: archiveRoot + "/" + p) {
            try ArchiveFileRemoval.remove(p, under: archiveRoot)
            removed += 1
        }
        return removed
    }
}
