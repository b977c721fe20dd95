import CallVaultCore
import Foundation

/// What retention (CallVaultArchive's `Retention`) asks of an index, whatever database holds it:
/// ``RetentionIndex`` for SQLite, the PostgreSQL index's own beside it. Retention orders these
/// with the file deletions (each deletion committed and audited here first, then the file
/// unlinked); the index side re-checks and audits each deletion in the transaction that makes it.
/// The judging is ``RetentionRow``'s and the SQL ``RetentionIndex``'s statics, shared by both.
public protocol RetentionSource: Sendable {
    /// Sets every call's dates from `policy`; records and audits a changed policy (not when `dryRun`).
    func recompute(_ policy: RetentionPolicy, dryRun: Bool, extraDetails: [String: String]) throws -> (changed: Int, policyChanged: Bool)
    /// The calls due at `now`, oldest first, held ones left out and counted.
    func due(at now: Date) throws -> (calls: [RetentionIndex.DueCall], held: Int)
    /// Marks the call's audio purged and audits it, if still due.
    func markAudioPurged(id: String, callID: String, sha256: String, archivePath: String,
                         policy: RetentionPolicy?, now: Date, extraDetails: [String: String]) throws -> RetentionIndex.Recheck
    /// Deletes the call's record and audits it, if still due.
    func deleteRecord(id: String, callID: String, startedAt: String, sha256: String,
                      policy: RetentionPolicy?, now: Date, extraDetails: [String: String]) throws -> RetentionIndex.Recheck
    /// Archive paths of the calls whose record says their audio is purged.
    func purgedArchivePaths() throws -> [String]
}

extension RetentionIndex: RetentionSource {}

extension RetentionIndex {
    /// True for a call with something due at the time bound twice (`?`, `?`).
    public static let dueCondition = "((retain_audio_until <= ? AND audio_purged_at IS NULL) OR retain_record_until <= ?)"

    /// How many calls due at the time bound twice are held.
    public static func heldDueSQL(_ dialect: HoldMatch.Dialect) -> String {
        "SELECT count(*) FROM calls WHERE \(dueCondition) AND \(HoldMatch.held(dialect))"
    }

    /// The calls due at the time bound twice and not held, oldest first, in ``DueCall/columns``' order.
    public static func dueSQL(_ dialect: HoldMatch.Dialect) -> String {
        "SELECT \(DueCall.columns) FROM calls WHERE \(dueCondition) AND NOT \(HoldMatch.held(dialect)) ORDER BY started_at, id"
    }

    /// One call, re-read inside a deletion's transaction: ``RetentionRow/columns`` then `held`.
    public static func recheckSQL(_ dialect: HoldMatch.Dialect) -> String {
        "SELECT \(RetentionRow.columns), \(HoldMatch.held(dialect)) AS held FROM calls WHERE id = ?"
    }

    /// The reason of an `audio_deleted` or `record_deleted` entry.
    public static func deletionReason(rule: String, until: String, audio: Bool) -> String {
        "retention rule \(rule.debugDescription): \(audio ? "audio" : "record") kept until \(until)"
    }

    /// The `policy_set` or `policy_changed` entry for a policy recorded over `previous` (nil: none before).
    public static func policyEntry(_ policy: RetentionPolicy, previous: String?, changed: Int,
                                   extraDetails: [String: String]) -> (action: String, reason: String, details: [String: String]) {
        (previous == nil ? "policy_set" : "policy_changed",
         previous == nil ? "first retention policy recorded" : "retention policy changed; dates recomputed",
         ["rules": policy.rules.map { "\($0.name): audio \($0.keepAudioDays) d, record \($0.keepRecordDays) d" }.joined(separator: "; "),
          "calls_recomputed": "\(changed)"].merging(extraDetails) { $1 })
    }
}

extension RetentionIndex.DueCall {
    /// The `calls` columns a due call is read from, in this order.
    public static let columns = """
        id, call_id, started_at, campaign, outcome, retention_rule, retain_audio_until, retain_record_until, \
        bytes, duration_ms, sha256, archive_path, audio_purged_at
        """

    /// A due call from its columns (``columns``), judged at `now` (the text bound as the time).
    public init(id: String, callID: String, startedAt: String, campaign: String?, outcome: Outcome, rule: String?,
                audioUntil: String?, recordUntil: String?, bytes: Int, durationMs: Int, sha256: String, archivePath: String,
                audioPurgedAt: String?, now t: String) {
        let recordDue = (recordUntil ?? "9") <= t
        self.init(id: id, callID: callID, startedAt: startedAt, campaign: campaign, outcome: outcome, rule: rule ?? "",
                  recordDue: recordDue, until: (recordDue ? recordUntil : audioUntil) ?? "", bytes: bytes, durationMs: durationMs,
                  sha256: sha256, archivePath: archivePath, audioPresent: audioPurgedAt == nil)
    }
}
