import CallVaultCore
import CallVaultStore
import Foundation

/// The worker's one ingest transaction, composed of the store's steps in this order:
/// 1. the lease is still ours and the call not yet archived (else nothing is written);
/// 2. attribution: the registry row of the tracking number at `started_at`, its pool's session, or
///    an outbound call's call-back request (``CallAttributor``);
/// 3. retention dates, after attribution because a rule may name the campaign (without a policy,
///    `retention apply` fills them later);
/// 4. the record inserted and the job `archived`;
/// 5. an audit entry when anything was kept out of the archive (DTMF, requested spans, card numbers).
/// All of it commits, or none: a crash leaves either no record or a record with its job archived.
package enum IngestTransaction {
    package static func commit<Store: QueueStore>(_ record: CallRecord, job: Job, owner: String, retention: RetentionPolicy?,
                                          now: Date, in store: Store) throws -> CommitResult {
        try store.inTransaction { tx in
            if let refusal = try store.commitRefusal(tx, recordID: record.id, job: job, owner: owner) { return refusal }
            var record = record
            try store.linkAttribution(&record, tx)
            if let retention { try store.stampRetention(&record, policy: retention, tx) }
            try store.insertArchived(record, job: job, now: now, tx)
            try store.auditRedactions(record, tx)
            return .committed
        }
    }
}
