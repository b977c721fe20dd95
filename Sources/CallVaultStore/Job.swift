import GRDB

/// A spool pair's way through the queue.
///
/// `pending` ▶ `running` (leased) ▶ `archived` (record committed, inputs not yet removed) ▶ `done`;
/// or ▶ `failed` (quarantined). A `running` or `archived` job whose lease expired or whose owner
/// died is claimed again; processing is idempotent, so it ends archived exactly once.
public struct Job: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "jobs"

    public enum State: String, Codable, Sendable {
        case pending, running, archived, done, failed
    }

    public var id: Int64?
    public var stem: String
    public var audioName: String
    public var state: State
    public var attempts: Int
    public var claims: Int
    public var availableAt: Double
    public var leaseOwner: String?
    public var leaseExpiresAt: Double?
    public var recordID: String?
    public var lastError: String?
    public var createdAt: Double
    public var updatedAt: Double

    enum CodingKeys: String, CodingKey {
        case id, stem
        case audioName = "audio_name"
        case state, attempts, claims
        case availableAt = "available_at"
        case leaseOwner = "lease_owner"
        case leaseExpiresAt = "lease_expires_at"
        case recordID = "record_id"
        case lastError = "last_error"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Job {
    /// A job as another backend's queue read it (the PostgreSQL queue builds its jobs here; the
    /// memberwise initialiser is internal to this module).
    public static func restored(id: Int64?, stem: String, audioName: String, state: State, attempts: Int, claims: Int, availableAt: Double,
                                leaseOwner: String?, leaseExpiresAt: Double?, recordID: String?, lastError: String?,
                                createdAt: Double, updatedAt: Double) -> Job {
        Job(id: id, stem: stem, audioName: audioName, state: state, attempts: attempts, claims: claims, availableAt: availableAt,
            leaseOwner: leaseOwner, leaseExpiresAt: leaseExpiresAt, recordID: recordID, lastError: lastError,
            createdAt: createdAt, updatedAt: updatedAt)
    }
}
