import CallVaultCore
import Foundation

/// What an evidence bundle (CallVaultArchive's `EvidenceBundle`) asks of an index, whatever
/// database holds it: ``EvidenceIndex`` for SQLite, the PostgreSQL index's own beside it. Both
/// select the same calls (hold coverage through ``HoldMatch``), describe them as the same
/// ``EvidenceIndex/Call`` values and hand over the same ``AuditLog/Entry`` values, so a bundle
/// reads the same from either; the export's own entry goes through each backend's audit chain.
///
/// The methods are synchronous, as the bundle's file work is: a PostgreSQL source waits on its
/// client, so its caller runs the bundle on a thread of its own.
public protocol EvidenceSource: Sendable {
    /// Archive ids of the calls the active hold `name` covers now, oldest first; nil when no active
    /// hold has that name.
    func calls(coveredBy name: String) throws -> [String]?
    /// The records with these ids (oldest first, each once) with their active holds and directory
    /// entries, read together; and the ids that match no call, in the order given.
    func calls(ids: [String]) throws -> (calls: [EvidenceIndex.Call], unknown: [String])
    /// Every audit entry whose ids name any of `ids`, by seq.
    func auditEntries(touching ids: [String]) throws -> [AuditLog.Entry]
    /// How many entries the audit log holds and its first broken link (nil when the chain checks out).
    func auditChain() throws -> EvidenceIndex.Chain
    /// Appends an entry to the index's audit chain (the export's `access` entry), in a transaction of its own.
    func appendAuditEntry(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) throws
}

extension EvidenceIndex: EvidenceSource {}

extension EvidenceIndex {
    /// The audit log as a bundle's `verify.json` reports it.
    public struct Chain: Sendable {
        public var entries: Int
        /// The first entry whose hash or link does not check out, with why.
        public var broken: (seq: Int64, reason: String)?

        public init(entries: Int, broken: (seq: Int64, reason: String)?) {
            self.entries = entries
            self.broken = broken
        }

        /// The chain of these links, in seq order (``AuditChain/firstBrokenLink(in:)``, shared by both backends).
        public init(_ links: [AuditChain.Link]) {
            self.init(entries: links.count, broken: AuditChain.firstBrokenLink(in: links))
        }
    }
}
