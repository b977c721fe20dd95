import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The web application's login sessions and login throttle on a PostgreSQL index: Store's
/// ``Sessions`` (the same rows — SHA-256 digests of session ids only — the same expiry and the
/// same lock rule), so a user signs in, is locked out and signs out alike on both backends.
///
/// Several `serve` processes may share the index: a failure is counted under a row lock
/// (`SELECT … FOR UPDATE` after an upsert), so two failures at once both count.
public struct PostgresSessions: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    public func create(idDigest: String, user: String, csrf: String, now: Double, lifetime: Double, address: String?) async throws {
        let logger = index.logger
        try await index.transaction("creating a session for \(user)") { c in
            try await c.query("DELETE FROM sessions WHERE expires_at <= \(now)", logger: logger)
            try await c.query("""
                INSERT INTO sessions (id_sha256, "user", csrf, created_at, expires_at, address)
                VALUES (\(idDigest), \(user), \(csrf), \(now), \(now + lifetime), \(address))
                """, logger: logger)
        }
    }

    /// The live session with this id digest, with its user's current role; nil when unknown or expired.
    public func session(idDigest: String, now: Double) async throws -> Sessions.Session? {
        guard let row = try await index.query("reading a session", """
            SELECT s."user", u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.name = s."user"
            WHERE s.id_sha256 = \(idDigest) AND s.expires_at > \(now)
            """).first else { return nil }
        let (user, role, csrf, expires) = try row.decode((String, String, String, Double).self)
        return Sessions.Session(user: user, role: try Users.Role.stored(role, user: user), csrf: csrf, expiresAt: expires)
    }

    public func delete(idDigest: String) async throws {
        _ = try await index.query("ending a session", "DELETE FROM sessions WHERE id_sha256 = \(idDigest)")
    }

    /// When `key` is locked, until when.
    public func lockedUntil(key: String, now: Double) async throws -> Double? {
        guard let row = try await index.query("reading the login throttle", "SELECT locked_until FROM login_throttle WHERE key = \(key)").first,
              let until = try row.decode(Double?.self), until > now else { return nil }
        return until
    }

    /// Counts a failure for each key (``Sessions/recordFailure(keys:now:policy:)``'s rule); the keys
    /// that became locked by it.
    public func recordFailure(keys: [String], now: Double, policy: Sessions.ThrottlePolicy) async throws -> [String] {
        let logger = index.logger
        return try await index.transaction("counting a failed sign-in") { c in
            var locked: [String] = []
            for key in keys {
                // The row exists (and is locked) before it is read: a concurrent failure waits.
                let fresh = try await c.query("""
                    INSERT INTO login_throttle (key, failures, first_failure_at, locked_until) VALUES (\(key), 0, \(now), NULL)
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, logger: logger).collect().isEmpty == false
                let rows = try await c.query("SELECT failures, first_failure_at, locked_until FROM login_throttle WHERE key = \(key) FOR UPDATE",
                                             logger: logger).collect()
                var failures = 1
                var first = now
                if !fresh, let row = rows.first {
                    let (count, firstAt, until) = try row.decode((Int64, Double, Double?).self)
                    if now - firstAt < policy.window, until.map({ $0 <= now }) ?? true {
                        failures = Int(count) + 1
                        first = firstAt
                    }
                }
                var until: Double? = nil
                if failures >= policy.maxFailures {
                    until = now + policy.lockSeconds
                    locked.append(key)
                    failures = 0
                }
                try await c.query("""
                    UPDATE login_throttle SET failures = \(Int64(failures)), first_failure_at = \(first), locked_until = \(until)
                    WHERE key = \(key)
                    """, logger: logger)
            }
            return locked
        }
    }

    public func clearFailures(key: String) async throws {
        _ = try await index.query("clearing the login throttle", "DELETE FROM login_throttle WHERE key = \(key)")
    }
}
