/// How one job ended in this run.
public enum JobResult: Sendable, Equatable {
    case archived(id: String, audioMs: Int, bytesIn: Int, bytesOut: Int)
    /// The same call (same `call_id`, same audio) was already archived; the inputs were removed.
    case duplicate(id: String)
    case quarantined(reason: String)
    /// Retried later (transient failure) or released (shutdown, another worker took it).
    case deferred(reason: String)
}
