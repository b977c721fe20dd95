import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The web application's accounts on a PostgreSQL index: Store's ``Users`` (the same rows, checks,
/// errors and audit entries, ``Users/Entry``), so `callvault user` prints and audits the same on
/// both backends. Each change and its entry are one transaction, appended to PostgreSQL's chain.
///
/// ```swift
/// try await PostgresUsers(index: index).add(name: "ana", role: .qa, passwordHash: hash, now: Date())
/// ```
public struct PostgresUsers: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    /// Adds a user, as ``Users/add(name:role:passwordHash:now:)``: refused for a bad or taken name.
    public func add(name: String, role: Users.Role, passwordHash: String, now: Date) async throws {
        guard Users.isValidName(name) else { throw Users.UserError.badName(name) }
        let logger = index.logger
        let at = Timestamp.format(now)
        let result: Result<Void, Users.UserError> = try await index.transaction("adding user \(name)") { c in
            let inserted = try await c.query("""
                INSERT INTO users (name, role, password_hash, created_at, password_changed_at)
                VALUES (\(name), \(role.rawValue), \(passwordHash), \(at), \(at))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """, logger: logger).collect()
            guard !inserted.isEmpty else { return .failure(.duplicate(name)) }
            try await Self.audit(c, logger: logger, .added(name, role: role))
            return .success(())
        }
        try result.get()
    }

    /// Removes a user; their sessions go with them (`ON DELETE CASCADE`, as on SQLite).
    public func remove(name: String, now: Date) async throws {
        try await change(name, step: "removing user \(name)", .removed(name)) { c, logger in
            try await c.query("DELETE FROM users WHERE name = \(name) RETURNING name", logger: logger).collect().count
        }
    }

    /// Replaces the password hash and ends the user's sessions.
    public func setPasswordHash(name: String, passwordHash: String, now: Date) async throws {
        try await change(name, step: "changing the password of \(name)", .passwordChanged(name)) { c, logger in
            let changed = try await c.query("""
                UPDATE users SET password_hash = \(passwordHash), password_changed_at = \(Timestamp.format(now))
                WHERE name = \(name) RETURNING name
                """, logger: logger).collect().count
            if changed == 1 { try await c.query(#"DELETE FROM sessions WHERE "user" = \#(name)"#, logger: logger) }
            return changed
        }
    }

    /// Stores the SHA-256 of a new API token (replacing any earlier token of that user).
    public func setTokenDigest(name: String, digest: String, now: Date) async throws {
        try await change(name, step: "issuing a token to \(name)", .tokenIssued(name)) { c, logger in
            try await c.query("UPDATE users SET token_sha256 = \(digest) WHERE name = \(name) RETURNING name", logger: logger).collect().count
        }
    }

    /// Every user, by name (bytewise, as SQLite orders text).
    public func list() async throws -> [Users.User] {
        let rows = try await index.query("listing users", """
            SELECT name, role, created_at, password_changed_at, token_sha256 IS NOT NULL FROM users ORDER BY name COLLATE "C"
            """)
        return try rows.map { row in
            let (name, role, createdAt, changedAt, hasToken) = try row.decode((String, String, String, String, Bool).self)
            return Users.User(name: name, role: try Users.Role.stored(role, user: name), createdAt: createdAt,
                              passwordChangedAt: changedAt, hasToken: hasToken)
        }
    }

    public func user(named name: String) async throws -> Users.User? {
        try await list().first { $0.name == name }
    }

    /// The stored hash, for the server's password check only (``Users/passwordHash(name:)``).
    public func passwordHash(name: String) async throws -> (hash: String, role: Users.Role)? {
        guard let row = try await index.query("reading the password of \(name)", "SELECT password_hash, role FROM users WHERE name = \(name)").first else {
            return nil
        }
        let (hash, role) = try row.decode((String, String).self)
        return (hash, try Users.Role.stored(role, user: name))
    }

    /// The user whose API token has this SHA-256 (``Users/user(tokenDigest:)``).
    public func user(tokenDigest: String) async throws -> (name: String, role: Users.Role)? {
        guard let row = try await index.query("reading an API token's user", "SELECT name, role FROM users WHERE token_sha256 = \(tokenDigest)").first else {
            return nil
        }
        let (name, role) = try row.decode((String, String).self)
        return (name, try Users.Role.stored(role, user: name))
    }

    /// One change of an existing user (`body` returns the rows it touched) with its audit entry;
    /// no row is ``Users/UserError/notFound(_:)`` and rolls back.
    private func change(_ name: String, step: String, _ entry: Users.Entry,
                        _ body: (PostgresConnection, Logger) async throws -> Int) async throws {
        let logger = index.logger
        let result: Result<Void, Users.UserError> = try await index.transaction(step) { c in
            guard try await body(c, logger) == 1 else { return .failure(.notFound(name)) }
            try await Self.audit(c, logger: logger, entry)
            return .success(())
        }
        try result.get()
    }

    private static func audit(_ c: PostgresConnection, logger: Logger, _ entry: Users.Entry) async throws {
        try await PostgresAuditLog.append(c, logger: logger, action: entry.action, ids: [], reason: entry.reason, details: entry.details)
    }
}
