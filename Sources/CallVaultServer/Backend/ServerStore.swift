import CallVaultCore
import CallVaultReports
import CallVaultStore
import Foundation

/// Everything the web application reads and writes of an index, whatever database holds it:
/// ``SQLiteServerStore`` (the embedded default) or ``PostgresServerStore``. The routes speak only
/// to this, so every page, API answer and audit entry is the same on both backends: the rows,
/// checks and entries are Store's (and CallVaultPostgres's twins of them), never SQL here.
///
/// Async throughout: PostgreSQL's client is, and a SQLite call simply runs where it is awaited,
/// as the routes ran it before. Work that is synchronous over PostgreSQL (the report scan, an
/// evidence bundle) is handed a ``ReportIndex`` / ``EvidenceSource`` on a thread of its own.
public protocol ServerStore: Sendable {
    // MARK: Health
    /// Throws when the index does not answer a trivial query (`/healthz`).
    func checkAnswers() async throws
    /// Calls in the index (`/metrics`).
    func countCalls() async throws -> Int

    // MARK: Users
    func user(tokenDigest: String) async throws -> (name: String, role: Users.Role)?
    /// The stored password hash, for the login check only.
    func passwordHash(name: String) async throws -> (hash: String, role: Users.Role)?
    func users() async throws -> [Users.User]
    func addUser(name: String, role: Users.Role, passwordHash: String, now: Date) async throws
    func removeUser(name: String, now: Date) async throws
    func setPasswordHash(name: String, passwordHash: String, now: Date) async throws

    // MARK: Sessions and the login throttle
    func session(idDigest: String, now: Double) async throws -> Sessions.Session?
    func createSession(idDigest: String, user: String, csrf: String, now: Double, lifetime: Double, address: String?) async throws
    func deleteSession(idDigest: String) async throws
    func lockedUntil(key: String, now: Double) async throws -> Double?
    /// Counts a failed login for each key; the keys that became locked by it.
    func recordLoginFailure(keys: [String], now: Double, policy: Sessions.ThrottlePolicy) async throws -> [String]
    func clearLoginFailures(key: String) async throws

    // MARK: Audit log
    func appendAudit(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) async throws
    /// Entries filtered by time and action, newest last; `limit` keeps the newest N (0: all).
    func auditEntries(since: Date?, action: String?, limit: Int) async throws -> [AuditLog.Entry]
    func firstBrokenAuditLink() async throws -> (seq: Int64, reason: String)?

    // MARK: Holds
    func holds(includeRemoved: Bool) async throws -> [Holds.Hold]
    func addHold(_ hold: Holds.Hold) async throws -> Holds.Added
    func removeHold(name: String, by: String, reason: String, now: Date) async throws -> Int
    /// The active holds covering each call (a call no hold covers is absent).
    func holdNames(covering ids: [String]) async throws -> [String: [String]]

    // MARK: Calls
    func call(id: String) async throws -> CallRecord?
    func calls(_ query: CallQuery) async throws -> CallQuery.Result
    /// The same matches and page as ``calls(_:)``, as the search page's short rows.
    func listing(_ query: CallQuery) async throws -> (rows: [CallListing], total: Int)
    func directoryEntries(for numbers: [String]) async throws -> [String: CallerDirectoryEntry]
    func directoryEntry(_ number: String) async throws -> CallerDirectoryEntry?
    /// Campaigns in the registry and among the calls, sorted (the search form's choices).
    func campaignNames() async throws -> [String]

    // MARK: Synchronous work
    /// Runs a report over this index (``ReportIndex``), where its synchronous reads may block.
    func reports<T: Sendable>(_ body: @escaping @Sendable (ReportIndex) throws -> T) async throws -> T
    /// Runs `body` with this index's evidence reads and writes (``EvidenceSource``: an evidence
    /// bundle), where they may block.
    func evidence<T: Sendable>(_ body: @escaping @Sendable (any EvidenceSource) throws -> T) async throws -> T
}
