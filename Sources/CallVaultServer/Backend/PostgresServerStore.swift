import CallVaultCore
import CallVaultPostgres
import CallVaultReports
import CallVaultStore
import Foundation

/// The web application's index on PostgreSQL: CallVaultPostgres's twins of Store's types (the
/// same rows, checks, errors and audit entries), so every page and API answer is the one SQLite
/// gives. The report scan and evidence bundles are synchronous over the client, so they run on a
/// thread of their own (``PostgresOwnThread``), never on the pool the client's tasks need.
///
/// Several `serve` processes (and workers) may share the index: what SQLite's single writer
/// ordered, PostgreSQL's transactions and row locks do (holds: ``PostgresHolds``; the login
/// throttle: ``PostgresSessions``).
public struct PostgresServerStore: ServerStore {
    public let index: PostgresIndex
    /// Reports run two at a time (``RunSlots``: each holds up to three of the pool's connections).
    private let reportSlots = RunSlots(count: 2)

    public init(index: PostgresIndex) { self.index = index }

    public func checkAnswers() async throws { _ = try await index.query("answering /healthz", "SELECT 1") }
    public func countCalls() async throws -> Int { try await index.callCount() }

    public func user(tokenDigest: String) async throws -> (name: String, role: Users.Role)? {
        try await PostgresUsers(index: index).user(tokenDigest: tokenDigest)
    }
    public func passwordHash(name: String) async throws -> (hash: String, role: Users.Role)? {
        try await PostgresUsers(index: index).passwordHash(name: name)
    }
    public func users() async throws -> [Users.User] { try await PostgresUsers(index: index).list() }
    public func addUser(name: String, role: Users.Role, passwordHash: String, now: Date) async throws {
        try await PostgresUsers(index: index).add(name: name, role: role, passwordHash: passwordHash, now: now)
    }
    public func removeUser(name: String, now: Date) async throws { try await PostgresUsers(index: index).remove(name: name, now: now) }
    public func setPasswordHash(name: String, passwordHash: String, now: Date) async throws {
        try await PostgresUsers(index: index).setPasswordHash(name: name, passwordHash: passwordHash, now: now)
    }

    public func session(idDigest: String, now: Double) async throws -> Sessions.Session? {
        try await PostgresSessions(index: index).session(idDigest: idDigest, now: now)
    }
    public func createSession(idDigest: String, user: String, csrf: String, now: Double, lifetime: Double, address: String?) async throws {
        try await PostgresSessions(index: index).create(idDigest: idDigest, user: user, csrf: csrf, now: now, lifetime: lifetime, address: address)
    }
    public func deleteSession(idDigest: String) async throws { try await PostgresSessions(index: index).delete(idDigest: idDigest) }
    public func lockedUntil(key: String, now: Double) async throws -> Double? {
        try await PostgresSessions(index: index).lockedUntil(key: key, now: now)
    }
    public func recordLoginFailure(keys: [String], now: Double, policy: Sessions.ThrottlePolicy) async throws -> [String] {
        try await PostgresSessions(index: index).recordFailure(keys: keys, now: now, policy: policy)
    }
    public func clearLoginFailures(key: String) async throws { try await PostgresSessions(index: index).clearFailures(key: key) }

    public func appendAudit(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) async throws {
        try await PostgresAuditLog(index: index).append(action: action, ids: ids, reason: reason, sha256: sha256, details: details)
    }
    public func auditEntries(since: Date?, action: String?, limit: Int) async throws -> [AuditLog.Entry] {
        try await PostgresAuditLog(index: index).entries(since: since, action: action, limit: limit)
    }
    public func firstBrokenAuditLink() async throws -> (seq: Int64, reason: String)? {
        try await PostgresAuditLog(index: index).firstBrokenLink()
    }

    public func holds(includeRemoved: Bool) async throws -> [Holds.Hold] { try await PostgresHolds(index: index).list(includeRemoved: includeRemoved) }
    public func addHold(_ hold: Holds.Hold) async throws -> Holds.Added { try await PostgresHolds(index: index).add(hold) }
    public func removeHold(name: String, by: String, reason: String, now: Date) async throws -> Int {
        try await PostgresHolds(index: index).remove(name: name, by: by, reason: reason, now: now)
    }
    public func holdNames(covering ids: [String]) async throws -> [String: [String]] {
        try await PostgresCallReader(index: index).holdNames(covering: ids)
    }

    public func call(id: String) async throws -> CallRecord? { try await PostgresCallReader(index: index).call(id: id) }
    public func calls(_ query: CallQuery) async throws -> CallQuery.Result { try await PostgresCallReader(index: index).calls(query) }
    public func listing(_ query: CallQuery) async throws -> (rows: [CallListing], total: Int) {
        let result = try await calls(query)
        return (result.records.map(CallListing.init(record:)), result.total)
    }
    public func directoryEntries(for numbers: [String]) async throws -> [String: CallerDirectoryEntry] {
        try await PostgresCallerDirectory(index: index).entries(for: numbers)
    }
    public func directoryEntry(_ number: String) async throws -> CallerDirectoryEntry? {
        try await PostgresCallerDirectory(index: index).lookup(number)
    }
    public func campaignNames() async throws -> [String] { try await PostgresRegistry(index: index).campaignNames() }

    public func reports<T: Sendable>(_ body: @escaping @Sendable (ReportIndex) throws -> T) async throws -> T {
        let source = PostgresReportSource(index: index)
        return try await reportSlots.run { try await PostgresOwnThread.run { try body(.scanned(source)) } }
    }
    public func evidence<T: Sendable>(_ body: @escaping @Sendable (any EvidenceSource) throws -> T) async throws -> T {
        let source = PostgresEvidenceIndex(index: index)
        return try await PostgresOwnThread.run { try body(source) }
    }
}
