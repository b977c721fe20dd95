import CallVaultCore
import Foundation
import GRDB

/// The web application's accounts, kept in the index: a name, a role, a password hash (computed by
/// the caller: the store never sees a password) and the SHA-256 of an optional API token.
///
/// ```swift
/// let users = Users(index: index)
/// try users.add(name: "ana", role: .qa, passwordHash: hash, now: Date())
/// ```
public struct Users: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    /// What a user may do; each role includes the ones before it.
    public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
        /// Search, listen, download, reports.
        case qa
        /// Also holds, the audit log, verify results.
        case compliance
        /// Also users.
        case admin

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

        /// The role stored for `user`; a value this release does not know is an error naming the
        /// user, never a default: a row edited by hand (or by a newer release) must not sign in
        /// with rights nobody gave it.
        public static func stored(_ text: String, user: String) throws -> Role {
            guard let role = Role(rawValue: text) else {
                throw IndexError(.unusable, "user \(user.debugDescription): unknown role \(text.debugDescription) in the index "
                                 + "(expected \(allCases.map(\.rawValue).joined(separator: ", "))); set it with `callvault user add` again or remove the user")
            }
            return role
        }
    }

    /// A user as listed: never the password hash nor the token's digest.
    public struct User: Sendable, Equatable, Codable {
        public var name: String
        public var role: Role
        public var createdAt: String
        public var passwordChangedAt: String
        public var hasToken: Bool

        public init(name: String, role: Role, createdAt: String, passwordChangedAt: String, hasToken: Bool) {
            self.name = name
            self.role = role
            self.createdAt = createdAt
            self.passwordChangedAt = passwordChangedAt
            self.hasToken = hasToken
        }

        enum CodingKeys: String, CodingKey {
            case name, role
            case createdAt = "created_at", passwordChangedAt = "password_changed_at", hasToken = "has_token"
        }
    }

    public enum UserError: Error, CustomStringConvertible, Equatable {
        case badName(String), duplicate(String), notFound(String)
        public var description: String {
            switch self {
            case .badName(let n): "\(n.debugDescription) is not a valid user name (1 to 64 letters, digits, . _ - @)"
            case .duplicate(let n): "a user named \(n.debugDescription) already exists"
            case .notFound(let n): "no user named \(n.debugDescription)"
            }
        }
    }

    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0)
        }
    }

    public func add(name: String, role: Role, passwordHash: String, now: Date) throws {
        guard Self.isValidName(name) else { throw UserError.badName(name) }
        try index.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE name = ?", arguments: [name])! > 0 {
                throw UserError.duplicate(name)
            }
            let at = Timestamp.format(now)
            try db.execute(sql: "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, passwordHash, at, at])
            let entry = Entry.added(name, role: role)
            try AuditLog.append(db, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
        }
    }

    public func remove(name: String, now: Date) throws {
        try index.pool.write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw UserError.notFound(name) }
            let entry = Entry.removed(name)
            try AuditLog.append(db, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
        }
    }

    /// Replaces the password hash and ends the user's sessions.
    public func setPasswordHash(name: String, passwordHash: String, now: Date) throws {
        try index.pool.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
                           arguments: [passwordHash, Timestamp.format(now), name])
            guard db.changesCount == 1 else { throw UserError.notFound(name) }
            try db.execute(sql: "DELETE FROM sessions WHERE user = ?", arguments: [name])
            let entry = Entry.passwordChanged(name)
            try AuditLog.append(db, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
        }
    }

    /// Stores the SHA-256 of a new API token (replacing any earlier token of that user).
    public func setTokenDigest(name: String, digest: String, now: Date) throws {
        try index.pool.write { db in
            try db.execute(sql: "UPDATE users SET token_sha256 = ? WHERE name = ?", arguments: [digest, name])
            guard db.changesCount == 1 else { throw UserError.notFound(name) }
            let entry = Entry.tokenIssued(name)
            try AuditLog.append(db, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
        }
    }

    public func list() throws -> [User] {
        try index.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, created_at, password_changed_at, token_sha256 IS NOT NULL AS has_token FROM users ORDER BY name")
                .map { row in
                    User(name: row["name"], role: try Role.stored(row["role"], user: row["name"]), createdAt: row["created_at"],
                         passwordChangedAt: row["password_changed_at"], hasToken: row["has_token"])
                }
        }
    }

    public func user(named name: String) throws -> User? {
        try list().first { $0.name == name }
    }

    /// The stored hash, for the server's password check only.
    public func passwordHash(name: String) throws -> (hash: String, role: Role)? {
        try index.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT password_hash, role FROM users WHERE name = ?", arguments: [name]) else { return nil }
            return (row["password_hash"], try Role.stored(row["role"], user: name))
        }
    }

    /// The user whose token has this SHA-256.
    public func user(tokenDigest: String) throws -> (name: String, role: Role)? {
        try index.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT name, role FROM users WHERE token_sha256 = ?", arguments: [tokenDigest]) else { return nil }
            return (row["name"], try Role.stored(row["role"], user: row["name"]))
        }
    }
}
