import CallVaultCore
import Foundation
import GRDB

/// Login sessions of the web application and the login throttle. Only SHA-256 digests of session
/// ids are stored, so a copy of the index does not let anyone in. Times are seconds since 1970
/// passed in by the caller (the clock is injected).
public struct Sessions: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    public struct Session: Sendable, Equatable {
        public var user: String
        public var role: Users.Role
        public var csrf: String
        public var expiresAt: Double

        public init(user: String, role: Users.Role, csrf: String, expiresAt: Double) {
            self.user = user
            self.role = role
            self.csrf = csrf
            self.expiresAt = expiresAt
        }
    }

    public func create(idDigest: String, user: String, csrf: String, now: Double, lifetime: Double, address: String?) throws {
        try index.pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now])
            try db.execute(sql: "INSERT INTO sessions (id_sha256, user, csrf, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [idDigest, user, csrf, now, now + lifetime, address])
        }
    }

    /// The live session with this id digest, with its user's current role; nil when unknown or expired.
    public func session(idDigest: String, now: Double) throws -> Session? {
        try index.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.user, u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.name = s.user
                WHERE s.id_sha256 = ? AND s.expires_at > ?
                """, arguments: [idDigest, now]) else { return nil }
            return Session(user: row["user"], role: try Users.Role.stored(row["role"], user: row["user"]), csrf: row["csrf"], expiresAt: row["expires_at"])
        }
    }

    public func delete(idDigest: String) throws {
        try index.pool.write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_sha256 = ?", arguments: [idDigest]) }
    }

    // MARK: Throttle

    /// Failures within `window` seconds before a lock; the lock lasts `lockSeconds`.
    public struct ThrottlePolicy: Sendable {
        public var maxFailures = 5
        public var window: Double = 15 * 60
        public var lockSeconds: Double = 15 * 60
        public init() {}
    }

    /// When `key` (e.g. `user:ana`, `address:10.0.0.1`) is locked, until when.
    public func lockedUntil(key: String, now: Double) throws -> Double? {
        try index.pool.read { db in
            guard let until = try Double.fetchOne(db, sql: "SELECT locked_until FROM login_throttle WHERE key = ?", arguments: [key]),
                  until > now else { return nil }
            return until
        }
    }

    /// Counts a failure for each key; returns the keys that became locked by it.
    public func recordFailure(keys: [String], now: Double, policy: ThrottlePolicy) throws -> [String] {
        try index.pool.write { db in
            var locked: [String] = []
            for key in keys {
                let row = try Row.fetchOne(db, sql: "SELECT failures, first_failure_at, locked_until FROM login_throttle WHERE key = ?", arguments: [key])
                var failures = 1
                var first = now
                if let row, now - (row["first_failure_at"] as Double) < policy.window, (row["locked_until"] as Double?).map({ $0 <= now }) ?? true {
                    failures = (row["failures"] as Int) + 1
                    first = row["first_failure_at"]
                }
                var until: Double? = nil
                if failures >= policy.maxFailures {
                    until = now + policy.lockSeconds
                    locked.append(key)
                    failures = 0
                }
                try db.execute(sql: """
                    INSERT INTO login_throttle (key, failures, first_failure_at, locked_until) VALUES (?, ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at,
                        locked_until = excluded.locked_until
                    """, arguments: [key, failures, first, until])
            }
            return locked
        }
    }

    public func clearFailures(key: String) throws {
        try index.pool.write { db in try db.execute(sql: "DELETE FROM login_throttle WHERE key = ?", arguments: [key]) }
    }
}
