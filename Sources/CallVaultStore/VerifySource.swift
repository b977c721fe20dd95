import Foundation

/// What `callvault verify` (CallVaultArchive's `Verifier`) reads of an index and writes to it,
/// whatever database holds it: ``VerifyIndex`` for SQLite, the PostgreSQL index's own beside it.
/// The verifier hashes and walks the files; the index side answers these.
public protocol VerifySource: Sendable {
    /// The calls started at or after `since` (all when nil); `sample` of them at random when given.
    func archivedFiles(since: Date?, sample: Int?) throws -> [VerifyIndex.ArchivedFile]
    /// The archive path (relative) of the call with archive id `id`, or nil when there is none.
    func archivePath(ofCall id: String) throws -> String?
    /// How many entries the audit log has.
    func auditEntryCount() throws -> Int
    /// The first audit entry whose hash or link does not check out, with why; nil when intact.
    func firstBrokenAuditLink() throws -> (seq: Int64, reason: String)?
    /// Where the report aggregates disagree with the calls (none where the index keeps none).
    func aggregateDifferences() throws -> [String]
    /// Appends an audit entry (verify's `verify_failed`).
    func appendAudit(action: String, ids: [String], reason: String, details: [String: String]) throws
}

extension VerifyIndex: VerifySource {
    public func firstBrokenAuditLink() throws -> (seq: Int64, reason: String)? {
        try AuditLog(index: index).firstBrokenLink()
    }

    public func aggregateDifferences() throws -> [String] {
        try ReportAggregates.differences(index)
    }

    public func appendAudit(action: String, ids: [String], reason: String, details: [String: String]) throws {
        try AuditLog(index: index).append(action: action, ids: ids, reason: reason, details: details)
    }
}
