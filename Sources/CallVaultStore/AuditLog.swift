import CallVaultCore
import Crypto
import Foundation
import GRDB

/// The append-only, tamper-evident audit log: every deletion, hold change, policy change and
/// verify failure. Each entry's `hash` is SHA-256 over the previous entry's hash and its own
/// fields, so an edited, deleted or inserted row breaks the chain at that point.
public struct AuditLog: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    public struct Entry: Codable, Sendable, Equatable, FetchableRecord {
        public var seq: Int64
        public var at: String
        public var action: String
        public var ids: [String]
        public var reason: String
        public var sha256: String?
        public var version: String
        public var osUser: String
        public var details: [String: String]
        public var prevHash: String
        public var hash: String

        enum CodingKeys: String, CodingKey {
            case seq, at, action, ids, reason, sha256, version
            case osUser = "os_user", details
            case prevHash = "prev_hash", hash
        }
    }

    public static let genesis = AuditChain.genesis

    /// The OS user running callvault.
    public static var osUser: String { AuditChain.currentOSUser }

    /// Appends an entry inside the caller's transaction, dated by the real clock: a simulated
    /// time (`retention apply --now`) belongs in `details`, never in `at`, so no flag can back- or
    /// forward-date an entry.
    public static func append(_ db: Database, action: String, ids: [String], reason: String, sha256: String? = nil,
                              details: [String: String] = [:]) throws {
        let prev = try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1") ?? genesis
        let at = Timestamp.format(Date())
        let user = osUser
        let hash = digest(prev: prev, at: at, action: action, ids: ids, reason: reason, sha256: sha256,
                          version: CallVault.version, user: user, details: details)
        try db.execute(sql: """
            INSERT INTO audit (at, action, ids, reason, sha256, version, os_user, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [at, action, json(ids), reason, sha256, CallVault.version, user, json(details), prev, hash])
    }

    public func append(action: String, ids: [String], reason: String, sha256: String? = nil, details: [String: String] = [:]) throws {
        try index.pool.write { db in
            try Self.append(db, action: action, ids: ids, reason: reason, sha256: sha256, details: details)
        }
    }

    /// The entry is dated by the real clock whatever `now` says (kept so older callers compile).
    @available(*, deprecated, message: "audit entries carry the real clock; put a simulated time in details")
    public func append(action: String, ids: [String], reason: String, sha256: String? = nil, details: [String: String] = [:], now: Date) throws {
        try append(action: action, ids: ids, reason: reason, sha256: sha256, details: details)
    }

    /// The entry is dated by the real clock whatever `now` says (kept so older callers compile).
    @available(*, deprecated, message: "audit entries carry the real clock; put a simulated time in details")
    public static func append(_ db: Database, action: String, ids: [String], reason: String, sha256: String? = nil,
                              details: [String: String] = [:], now: Date) throws {
        try append(db, action: action, ids: ids, reason: reason, sha256: sha256, details: details)
    }

    public func entries(since: Date? = nil) throws -> [Entry] {
        try index.pool.read { db in
            if let since {
                return try Entry.fetchAll(db, sql: "SELECT * FROM audit WHERE at >= ? ORDER BY seq", arguments: [Timestamp.format(since)])
            }
            return try Entry.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq")
        }
    }

    /// The first entry whose hash or link does not check out, with why; nil when the chain is intact.
    public func firstBrokenLink() throws -> (seq: Int64, reason: String)? {
        AuditChain.firstBrokenLink(in: try entries().map {
            AuditChain.Link(seq: $0.seq, prevHash: $0.prevHash, at: $0.at, action: $0.action, ids: $0.ids, reason: $0.reason,
                            sha256: $0.sha256, version: $0.version, osUser: $0.osUser, details: $0.details, hash: $0.hash)
        })
    }

    /// The chain's hash (``AuditChain``, shared with the PostgreSQL audit log).
    static func digest(prev: String, at: String, action: String, ids: [String], reason: String, sha256: String?,
                       version: String, user: String, details: [String: String]) -> String {
        AuditChain.digest(prev: prev, at: at, action: action, ids: ids, reason: reason, sha256: sha256,
                          version: version, user: user, details: details)
    }

    static func json<T: Encodable>(_ value: T) -> String { AuditChain.json(value) }
}

extension AuditLog.Entry {
    /// An entry read by another backend (PostgreSQL's audit log hands its rows over as links).
    public init(_ link: AuditChain.Link) {
        self.init(seq: link.seq, at: link.at, action: link.action, ids: link.ids, reason: link.reason, sha256: link.sha256,
                  version: link.version, osUser: link.osUser, details: link.details, prevHash: link.prevHash, hash: link.hash)
    }
}
