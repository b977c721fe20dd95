/// What the ingest transaction's commit found (``QueueStore/commitRefusal(_:recordID:job:owner:)``
/// returns the refusals): the same for every backend.
public enum CommitResult: Sendable, Equatable {
    /// The record is in the index and the job is `archived`.
    case committed
    /// Another worker took the job over; nothing was written.
    case leaseLost
    /// A record with this id is already in the index (another stem with the same call_id got
    /// there first); nothing was written. Claimed again, the job is recognised as a duplicate.
    case alreadyArchived
}
