import CallVaultCore
import Foundation

/// One call as retention judges it, read by either backend: its facts, its stored dates, and
/// whether a hold covers it. The judging (new dates from a policy; still due, held, gone?) is
/// here, once, so SQLite's ``RetentionIndex`` and the PostgreSQL index decide alike; they only
/// read the row and write what this decides.
public struct RetentionRow: Sendable {
    public var id: String
    public var campaign: String?
    public var source: String?
    public var outcome: Outcome
    public var trackingNumber: String
    public var startedAt: String?
    public var audioUntil: String?
    public var recordUntil: String?
    public var rule: String?
    public var audioPurgedAt: String?
    /// An active hold covers the call (read only inside a deletion's transaction).
    public var held: Bool

    public init(id: String, campaign: String?, source: String?, outcome: Outcome, trackingNumber: String, startedAt: String?,
                audioUntil: String?, recordUntil: String?, rule: String?, audioPurgedAt: String?, held: Bool = false) {
        self.id = id
        self.campaign = campaign
        self.source = source
        self.outcome = outcome
        self.trackingNumber = trackingNumber
        self.startedAt = startedAt
        self.audioUntil = audioUntil
        self.recordUntil = recordUntil
        self.rule = rule
        self.audioPurgedAt = audioPurgedAt
        self.held = held
    }

    /// The `calls` columns a row is read from, in this order (then, in a deletion, `held`).
    public static let columns = """
        id, campaign, source, outcome, tracking_number, started_at, retain_audio_until, retain_record_until, retention_rule, audio_purged_at
        """

    /// A call's retention dates as stored: `retain_audio_until`, `retain_record_until`, `retention_rule`.
    public struct Dates: Sendable, Equatable {
        public var audio: String
        public var record: String
        public var rule: String
    }

    /// The dates `policy` gives the call, or nil when the stored ones already say so. A
    /// `started_at` that is not a time is an error naming the call: retention cannot date it, and
    /// skipping it would keep it forever.
    public func newDates(_ policy: RetentionPolicy) throws -> Dates? {
        guard let started = startedAt.flatMap(Timestamp.parseInstant) else {
            throw IndexError(.unusable, "call \(id): started_at \((startedAt ?? "NULL").debugDescription) is not a time, "
                             + "so retention cannot date it (nothing was changed)")
        }
        let r = policy.retention(for: .init(campaign: campaign, source: source, outcome: outcome, trackingNumber: trackingNumber,
                                            startedAt: started))
        let dates = Dates(audio: IndexTime.text(r.audioUntil), record: IndexTime.text(r.recordUntil), rule: r.rule)
        return dates == Dates(audio: audioUntil ?? "", record: recordUntil ?? "", rule: rule ?? "")
            && audioUntil != nil && recordUntil != nil && rule != nil ? nil : dates
    }

    /// What a deletion's transaction decides on looking at the call again (see
    /// ``RetentionIndex/Recheck``), and the new dates to store when its rule changed since
    /// planning. `audio`: the audio's deletion (else the record's). A call whose `started_at` is
    /// not a time keeps its stored dates here.
    public func recheck(audio: Bool, policy: RetentionPolicy?, now: Date) -> (RetentionIndex.Recheck, Dates?) {
        if audio ? audioPurgedAt != nil : audioPurgedAt == nil { return (.gone, nil) }
        if held { return (.held, nil) }
        var (audioUntil, recordUntil, rule) = (self.audioUntil, self.recordUntil, self.rule ?? "")
        var changed: Dates?
        if let policy, let dates = try? newDates(policy) {
            (audioUntil, recordUntil, rule) = (dates.audio, dates.record, dates.rule)
            changed = dates
        }
        let t = Timestamp.format(now)
        guard let until = audio ? audioUntil : recordUntil, until <= t else { return (.notDue, changed) }
        return (.due(rule: rule, until: until), changed)
    }
}
