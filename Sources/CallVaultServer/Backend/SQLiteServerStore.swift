import CallVaultCore
import CallVaultReports
import CallVaultStore
import Foundation

/// The web application's index in a SQLite file: Store's types over one ``CallIndex``, called where
/// they are awaited (GRDB's pool serialises the writes; reads run beside them).
public struct SQLiteServerStore: ServerStore {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    public func checkAnswers() async throws { try await index.checkAnswers() }
    public func countCalls() async throws -> Int { try await index.countCalls() }

    public func user(tokenDigest: String) async throws -> (name: String, role: Users.Role)? {
        try Users(index: index).user(tokenDigest: tokenDigest)
    }
    public func passwordHash(name: String) async throws -> (hash: String, role: Users.Role)? {
        try Users(index: index).passwordHash(name: name)
    }
    public func users() async throws -> [Users.User] { try Users(index: index).list() }
    public func addUser(name: String, role: Users.Role, passwordHash: String, now: Date) async throws {
        try Users(index: index).add(name: name, role: role, passwordHash: passwordHash, now: now)
    }
    public func removeUser(name: String, now: Date) async throws { try Users(index: index).remove(name: name, now: now) }
    public func setPasswordHash(name: String, passwordHash: String, now: Date) async throws {
        try Users(index: index).setPasswordHash(name: name, passwordHash: passwordHash, now: now)
    }

    public func session(idDigest: String, now: Double) async throws -> Sessions.Session? {
        try Sessions(index: index).session(idDigest: idDigest, now: now)
    }
    public func createSession(idDigest: String, user: String, csrf: String, now: Double, lifetime: Double, address: String?) async throws {
        try Sessions(index: index).create(idDigest: idDigest, user: user, csrf: csrf, now: now, lifetime: lifetime, address: address)
    }
    public func deleteSession(idDigest: String) async throws { try Sessions(index: index).delete(idDigest: idDigest) }
    public func lockedUntil(key: String, now: Double) async throws -> Double? { try Sessions(index: index).lockedUntil(key: key, now: now) }
    public func recordLoginFailure(keys: [String], now: Double, policy: Sessions.ThrottlePolicy) async throws -> [String] {
        try Sessions(index: index).recordFailure(keys: keys, now: now, policy: policy)
    }
    public func clearLoginFailures(key: String) async throws { try Sessions(index: index).clearFailures(key: key) }

    public func appendAudit(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) async throws {
        try AuditLog(index: index).append(action: action, ids: ids, reason: reason, sha256: sha256, details: details)
    }
    public func auditEntries(since: Date?, action: String?, limit: Int) async throws -> [AuditLog.Entry] {
        try AuditLog(index: index).entries(since: since, action: action, limit: limit)
    }
    public func firstBrokenAuditLink() async throws -> (seq: Int64, reason: String)? { try AuditLog(index: index).firstBrokenLink() }

    public func holds(includeRemoved: Bool) async throws -> [Holds.Hold] { try Holds(index: index).list(includeRemoved: includeRemoved) }
    public func addHold(_ hold: Holds.Hold) async throws -> Holds.Added { try Holds(index: index).add(hold) }
    public func removeHold(name: String, by: String, reason: String, now: Date) async throws -> Int {
        try Holds(index: index).remove(name: name, by: by, reason: reason, now: now)
    }
    public func holdNames(covering ids: [String]) async throws -> [String: [String]] { try Holds(index: index).names(covering: ids) }

    public func call(id: String) async throws -> CallRecord? { try index.call(id: id) }
    public func calls(_ query: CallQuery) async throws -> CallQuery.Result { try query.run(index) }
    public func listing(_ query: CallQuery) async throws -> (rows: [CallListing], total: Int) { try query.listing(index) }
    public func directoryEntries(for numbers: [String]) async throws -> [String: CallerDirectoryEntry] {
        try CallerDirectory(index: index).entries(for: numbers)
    }
    public func directoryEntry(_ number: String) async throws -> CallerDirectoryEntry? { try CallerDirectory(index: index).lookup(number) }
    public func campaignNames() async throws -> [String] { try Registry(index: index).campaignNames() }

    public func reports<T: Sendable>(_ body: @escaping @Sendable (ReportIndex) throws -> T) async throws -> T {
        try body(.sqlite(index))
    }
    public func evidence<T: Sendable>(_ body: @escaping @Sendable (any EvidenceSource) throws -> T) async throws -> T {
        try body(EvidenceIndex(index: index))
    }
}
