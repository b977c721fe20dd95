import Crypto
import Foundation

/// The audit log's hash chain, whatever database holds it (SQLite's AuditLog, PostgreSQL's
/// PostgresAuditLog): each entry's `hash` is SHA-256 over the previous entry's hash and its own
/// fields, so an edited, deleted or inserted row breaks the chain at that point. One definition,
/// so an index moved from one backend to the other keeps a chain that checks out on both.
///
/// ```swift
/// let hash = AuditChain.digest(AuditChain.Link(seq: 1, prevHash: AuditChain.genesis, at: "2026-11-30T02:00:00Z",
///                                              action: "hold", ids: ["c1"], reason: "litigation", …))
/// AuditChain.firstBrokenLink(in: entries)   // nil when intact
/// ```
public enum AuditChain {
    /// The `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// One entry's fields as the chain sees them.
    public struct Link: Sendable, Equatable {
        public var seq: Int64
        public var prevHash: String
        public var at: String
        public var action: String
        public var ids: [String]
        public var reason: String
        public var sha256: String?
        public var version: String
        public var osUser: String
        public var details: [String: String]
        /// The stored hash (ignored by ``digest(_:)``, which computes it).
        public var hash: String

        public init(seq: Int64, prevHash: String, at: String, action: String, ids: [String], reason: String, sha256: String?,
                    version: String, osUser: String, details: [String: String], hash: String = "") {
            self.seq = seq
            self.prevHash = prevHash
            self.at = at
            self.action = action
            self.ids = ids
            self.reason = reason
            self.sha256 = sha256
            self.version = version
            self.osUser = osUser
            self.details = details
            self.hash = hash
        }
    }

    /// SHA-256 (hex) over the previous hash and the entry's fields, joined by U+001F.
    public static func digest(prev: String, at: String, action: String, ids: [String], reason: String, sha256: String?,
                              version: String, user: String, details: [String: String]) -> String {
        let fields = [prev, at, action, json(ids), reason, sha256 ?? "", version, user, json(details)]
        let data = Data(fields.joined(separator: "\u{1f}").utf8)
        return SHA256.hash(data: data).hexString
    }

    /// ``digest(prev:at:action:ids:reason:sha256:version:user:details:)`` of `link`.
    public static func digest(_ link: Link) -> String {
        digest(prev: link.prevHash, at: link.at, action: link.action, ids: link.ids, reason: link.reason, sha256: link.sha256,
               version: link.version, user: link.osUser, details: link.details)
    }

    /// The first entry (in `seq` order) whose hash or link does not check out, with why; nil when intact.
    public static func firstBrokenLink(in links: some Sequence<Link>) -> (seq: Int64, reason: String)? {
        var prev = genesis
        var expectedSeq: Int64 = 1
        for e in links {
            if e.seq != expectedSeq { return (expectedSeq, "entry \(expectedSeq) is missing (next is \(e.seq))") }
            if e.prevHash != prev { return (e.seq, "entry \(e.seq) does not link to the entry before it") }
            if digest(e) != e.hash { return (e.seq, "entry \(e.seq) was altered (its hash does not match its content)") }
            prev = e.hash
            expectedSeq += 1
        }
        return nil
    }

    /// The OS user running callvault, as every entry names it: `$USER`, else the password
    /// database's name of the effective uid.
    public static var currentOSUser: String {
        if let name = ProcessInfo.processInfo.environment["USER"], !name.isEmpty { return name }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    /// The JSON text stored for `ids` and `details` (sorted keys, slashes plain): part of what is hashed.
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
