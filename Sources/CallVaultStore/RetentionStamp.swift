import CallVaultCore
import Foundation

/// Sets a new record's retention dates at ingest, after attribution (a rule may name the campaign):
/// the index side of a ``RetentionPolicy``. `retention apply` (CallVaultArchive) recomputes the
/// same dates for calls already in the index.
public enum RetentionStamp {
    public static func stamp(_ record: inout CallRecord, policy: RetentionPolicy) {
        let facts = RetentionPolicy.Facts(campaign: record.campaign, source: record.source, outcome: record.outcome,
                                          trackingNumber: record.trackingNumber, startedAt: record.startedAt)
        let r = policy.retention(for: facts)
        record.retention = CallRecord.RetentionDates(audioUntil: IndexTime.stored(r.audioUntil),
                                                     recordUntil: IndexTime.stored(r.recordUntil), rule: r.rule)
    }
}
