import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The audit log on PostgreSQL: the same append-only, tamper-evident chain as SQLite's AuditLog,
/// hashed by the same code (``CallVaultCore/AuditChain``), so an index moved between the two keeps
/// a chain that checks out on both. Triggers refuse UPDATE, DELETE and TRUNCATE of its rows.
///
/// Appends from many machines are serialised by a transaction-scoped advisory lock: each entry
/// must link to the one before it, and `seq` must have no gaps (a gap reads as a deleted entry).
public struct PostgresAuditLog: Sendable {
    public let index: PostgresIndex

    /// The advisory lock that serialises appends ("cvaudit!" as a big-endian Int64).
    public static let appendLockKey: Int64 = 0x6376_6175_6469_7421

    public init(index: PostgresIndex) { self.index = index }

    /// Appends an entry inside the caller's transaction on `connection`, dated by the real clock
    /// (as on SQLite: a simulated time belongs in `details`).
    public static func append(_ connection: PostgresConnection, logger: Logger, action: String, ids: [String], reason: String,
                              sha256: String? = nil, details: [String: String] = [:],
                              user: String = AuditChain.currentOSUser) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(appendLockKey))", logger: logger).collect()
        let last = try await connection.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", logger: logger).collect()
        let (lastSeq, prev) = try last.first?.decode((Int64, String).self) ?? (Int64(0), AuditChain.genesis)
        let at = Timestamp.format(Date())
        let hash = AuditChain.digest(prev: prev, at: at, action: action, ids: ids, reason: reason, sha256: sha256,
                                     version: CallVault.version, user: user, details: details)
        try await connection.query("""
            INSERT INTO audit (seq, at, action, ids, reason, sha256, version, os_user, details, prev_hash, hash)
            VALUES (\(lastSeq + 1), \(at), \(action), \(AuditChain.json(ids)), \(reason), \(sha256), \(CallVault.version), \(user),
                    \(AuditChain.json(details)), \(prev), \(hash))
            """, logger: logger)
    }

    /// Appends an entry in a transaction of its own.
    public func append(action: String, ids: [String], reason: String, sha256: String? = nil, details: [String: String] = [:]) async throws {
        let logger = index.logger
        try await index.transaction("appending to the audit log") { connection in
            try await Self.append(connection, logger: logger, action: action, ids: ids, reason: reason, sha256: sha256, details: details)
        }
    }

    /// Every entry in `seq` order, as the chain sees them.
    public func entries() async throws -> [AuditChain.Link] {
        try await entries(since: nil, action: nil)
    }

    /// The entries dated at or after `since` and of `action` (each when given), in `seq` order:
    /// `audit list`'s filters, as SQLite's ``AuditLog`` applies them.
    public func entries(since: String?, action: String?) async throws -> [AuditChain.Link] {
        let rows = try await index.query("reading the audit log", """
            SELECT seq, at, action, ids, reason, sha256, version, os_user, details, prev_hash, hash FROM audit
            WHERE (\(since)::text IS NULL OR at >= \(since)) AND (\(action)::text IS NULL OR action = \(action))
            ORDER BY seq
            """)
        return try rows.map(Self.link)
    }

    /// The columns ``link(_:)`` reads, in its order.
    static let columns = "seq, at, action, ids, reason, sha256, version, os_user, details, prev_hash, hash"

    /// One `audit` row (``columns``) as the chain sees it: the values SQLite's ``AuditLog`` reads.
    static func link(_ row: PostgresRow) throws -> AuditChain.Link {
        let (seq, at, action, ids, reason, sha256, version, user, details, prev, hash) =
            try row.decode((Int64, String, String, String, String, String?, String, String, String, String, String).self)
        guard let idList = try? JSONDecoder().decode([String].self, from: Data(ids.utf8)),
              let detailMap = try? JSONDecoder().decode([String: String].self, from: Data(details.utf8)) else {
            // Unreadable JSON cannot be re-hashed as written: report it as a broken link.
            return AuditChain.Link(seq: seq, prevHash: prev, at: at, action: action, ids: [ids], reason: reason, sha256: sha256,
                                   version: version, osUser: user, details: ["unreadable": details], hash: "")
        }
        return AuditChain.Link(seq: seq, prevHash: prev, at: at, action: action, ids: idList, reason: reason, sha256: sha256,
                               version: version, osUser: user, details: detailMap, hash: hash)
    }

    /// ``entries(since:action:)`` keeping the newest `limit` (0: all), newest last, as Store's
    /// ``AuditLog`` entries (the web application's audit page and `/api/audit`).
    public func entries(since: Date?, action: String?, limit: Int) async throws -> [AuditLog.Entry] {
        let all = try await entries(since: since.map(Timestamp.format), action: action)
        return (limit > 0 ? Array(all.suffix(limit)) : all).map(AuditLog.Entry.init)
    }

    /// The first entry whose hash or link does not check out, with why; nil when the chain is intact.
    public func firstBrokenLink() async throws -> (seq: Int64, reason: String)? {
        AuditChain.firstBrokenLink(in: try await entries())
    }
}
