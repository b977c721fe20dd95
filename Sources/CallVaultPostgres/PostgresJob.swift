import PostgresNIO

/// A spool pair's way through the PostgreSQL queue: the same states, fields and meaning as the
/// SQLite queue's `Job` (CallVaultStore), which this module cannot import (it is GRDB's record).
///
/// `pending` ▶ `running` (leased) ▶ `archived` (record committed, inputs not yet removed) ▶ `done`;
/// or ▶ `failed` (quarantined). A `running` or `archived` job whose lease expired is claimed again.
public struct PostgresJob: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, running, archived, done, failed
    }

    public var id: Int64
    public var stem: String
    public var audioName: String
    public var state: State
    public var attempts: Int
    /// How many times the job was claimed; the worker quarantines it once this passes
    /// `Settings.Queue.maxClaims` (the worker died that often on it: a poison input).
    public var claims: Int
    public var availableAt: Double
    public var leaseOwner: String?
    public var leaseExpiresAt: Double?
    public var recordID: String?
    public var lastError: String?
    public var createdAt: Double
    public var updatedAt: Double

    /// The columns ``init(row:)`` reads, in a SELECT's or a RETURNING's list.
    static let columns = "id, stem, audio_name, state, attempts, claims, available_at, lease_owner, lease_expires_at, record_id, last_error, created_at, updated_at"

    init(row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        id = try r["id"].decode(Int64.self)
        stem = try r["stem"].decode(String.self)
        audioName = try r["audio_name"].decode(String.self)
        let stateText = try r["state"].decode(String.self)
        guard let state = State(rawValue: stateText) else {
            throw PostgresIndexError(.statement, "PostgreSQL index: job \(id) has an unknown state \(stateText.debugDescription)")
        }
        self.state = state
        attempts = try r["attempts"].decode(Int.self)
        claims = try r["claims"].decode(Int.self)
        availableAt = try r["available_at"].decode(Double.self)
        leaseOwner = try r["lease_owner"].decode(String?.self)
        leaseExpiresAt = try r["lease_expires_at"].decode(Double?.self)
        recordID = try r["record_id"].decode(String?.self)
        lastError = try r["last_error"].decode(String?.self)
        createdAt = try r["created_at"].decode(Double.self)
        updatedAt = try r["updated_at"].decode(Double.self)
    }
}
