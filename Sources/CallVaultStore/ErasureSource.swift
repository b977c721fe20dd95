import CallVaultCore
import Foundation

/// What an erasure request (CallVaultArchive's `Erasure`) asks of an index, whatever database
/// holds it: ``ErasureIndex`` for SQLite, the PostgreSQL index's own beside it. Each change is
/// re-checked (``ErasureIndex/judge(_:holds:unfinishedJobs:policy:now:)``) and audited in the
/// transaction that makes it; the judging and the audit entries' texts are shared.
public protocol ErasureSource: Sendable {
    /// The calls of `caller` or with these archive ids, oldest first, and the ids matching no call.
    func candidates(caller: String?, ids: [String]) throws -> (calls: [ErasureIndex.Candidate], unknownIDs: [String])
    /// The decision for each call at `now` under `policy` (a dry run, a plan).
    func decisions(for ids: [String], policy: RetentionPolicy?, now: Date) throws -> [String: ErasureIndex.Decision]
    /// Marks the call's audio erased and audits it, if it may still be erased.
    func markAudioErased(_ call: ErasureIndex.Candidate, request: ErasureIndex.Request, policy: RetentionPolicy?, now: Date) throws -> ErasureIndex.Decision
    /// Deletes the call's record and what names it, and audits it, if it may still be erased.
    func deleteRecord(_ call: ErasureIndex.Candidate, request: ErasureIndex.Request, policy: RetentionPolicy?, now: Date) throws -> ErasureIndex.Decision
    /// Ends a request: the caller's directory entry when none of their calls is left, and the `erasure` entry.
    func finish(request: ErasureIndex.Request, caller: String?, erased: [String], kept: [String: String],
                extraDetails: [String: String]) throws -> (directoryEntryDeleted: Bool, seq: Int64)
    /// The index's erasure salt, made by the first call.
    func salt() throws -> String
    /// The salt when an erasure already made one.
    func existingSalt() throws -> String?
    /// True when `retention apply` recorded a policy in this index.
    func retentionPolicyRecorded() throws -> Bool
}

extension ErasureIndex: ErasureSource {}

extension ErasureIndex {
    /// The `calls` columns a ``Candidate`` is read from, in this order.
    public static let candidateColumns = "id, call_id, started_at, campaign, caller, sha256, archive_path, bytes, duration_ms, audio_purged_at"

    /// What a call's decision reads of it: `SELECT` these, then ``judge(_:holds:unfinishedJobs:policy:now:)``.
    public static let judgedColumns = "campaign, source, outcome, tracking_number, started_at"

    /// The decision for a call still in the index, from its facts (nil when its start cannot be
    /// read: no minimum can apply), the active holds covering it and its jobs not yet finished:
    /// held, inside a mandatory minimum (its rule recomputed from its attribution now), still
    /// being archived by a worker, or free to erase. One rule for both backends.
    public static func judge(_ facts: RetentionPolicy.Facts?, holds: [String], unfinishedJobs: Int,
                             policy: RetentionPolicy?, now: Date) -> Decision {
        if !holds.isEmpty { return .keep(.held(holds)) }
        if let policy, let facts, let minimum = policy.mandatoryMinimum(for: facts, now: now) {
            return .keep(.mandatoryMinimum(rule: minimum.rule, days: minimum.days, until: IndexTime.text(minimum.until)))
        }
        return unfinishedJobs > 0 ? .keep(.beingArchived) : .erase
    }

    /// The `erasure` entry's details for a finished request.
    public static func finishDetails(_ request: Request, erased: [String], kept: [String: String], directoryEntryDeleted: Bool,
                                     extraDetails: [String: String]) -> [String: String] {
        var details = request.details.merging(extraDetails) { $1 }
        details["erased"] = "\(erased.count)"
        details["kept"] = kept.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        details["directory_entry_deleted"] = directoryEntryDeleted ? "true" : "false"
        return details
    }

    /// A new erasure salt: 32 random bytes, hex.
    public static func newSalt() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
