import CallVaultCore
import Foundation
import GRDB

/// What an evidence bundle (`callvault export --bundle`, the web application's evidence download)
/// reads from the index: the calls an active hold covers, the records with their holds and
/// directory entries, and every audit entry that names any of the calls. The SQLite
/// ``EvidenceSource``; the PostgreSQL index has its own beside it.
public struct EvidenceIndex: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    /// Archive ids of the calls the active hold `name` covers now, oldest first; nil when no active
    /// hold has that name.
    public func calls(coveredBy name: String) throws -> [String]? {
        try index.pool.read { db in
            guard let holdID = try Int64.fetchOne(db, sql: "SELECT id FROM holds WHERE name = ? AND removed_at IS NULL", arguments: [name]) else {
                return nil
            }
            return try String.fetchAll(db, sql: Self.coveredSQL(holdID: "?", .sqlite), arguments: [holdID])
        }
    }

    /// `SELECT id` of the calls the hold whose id is bound at `placeholder` covers, oldest first:
    /// one text for both backends (``HoldMatch``), so a hold's bundle holds the same calls on each.
    public static func coveredSQL(holdID placeholder: String, _ dialect: HoldMatch.Dialect) -> String {
        "SELECT id FROM calls WHERE \(HoldMatch.covered(by: "h.id = \(placeholder)", dialect)) ORDER BY started_at, id"
    }

    /// One call as a bundle describes it.
    public struct Call: Sendable {
        public var record: CallRecord
        /// Active holds covering it now.
        public var holds: [String]
        public var directory: CallerDirectoryEntry?

        public init(record: CallRecord, holds: [String], directory: CallerDirectoryEntry?) {
            self.record = record
            self.holds = holds
            self.directory = directory
        }
    }

    /// The records with these ids (oldest first) and the ids that match no call.
    public func calls(ids: [String]) throws -> (calls: [Call], unknown: [String]) {
        try index.pool.read { db in
            var records: [CallRecord] = []
            var unknown: [String] = []
            for id in ids {
                if let r = try CallRecord.fetchOne(db, key: id) {
                    if !records.contains(where: { $0.id == r.id }) { records.append(r) }
                } else if !unknown.contains(id) {
                    unknown.append(id)
                }
            }
            records.sort { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
            let holds = try Holds.names(covering: records.map(\.id), in: db)
            let directory = try CallerDirectory.entries(for: records.compactMap(\.caller), in: db)
            return (records.map { Call(record: $0, holds: holds[$0.id] ?? [], directory: $0.caller.flatMap { directory[$0] }) }, unknown)
        }
    }

    /// Every audit entry whose ids name any of `ids` (plays, downloads, holds, deletions…), by seq.
    public func auditEntries(touching ids: [String]) throws -> [AuditLog.Entry] {
        guard !ids.isEmpty else { return [] }
        return try index.pool.read { db in
            var seqs = Set<Int64>()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                seqs.formUnion(try Int64.fetchAll(db, sql: """
                    SELECT seq FROM audit WHERE EXISTS (SELECT 1 FROM json_each(audit.ids) j WHERE j.value IN (\(marks)))
                    """, arguments: StatementArguments(chunk)))
            }
            var entries: [AuditLog.Entry] = []
            for seq in seqs.sorted() {
                if let e = try AuditLog.Entry.fetchOne(db, sql: "SELECT * FROM audit WHERE seq = ?", arguments: [seq]) { entries.append(e) }
            }
            return entries
        }
    }

    /// The audit log's length and first broken link, from one read of it.
    public func auditChain() throws -> Chain {
        Chain(try AuditLog(index: index).entries().map {
            AuditChain.Link(seq: $0.seq, prevHash: $0.prevHash, at: $0.at, action: $0.action, ids: $0.ids, reason: $0.reason,
                            sha256: $0.sha256, version: $0.version, osUser: $0.osUser, details: $0.details, hash: $0.hash)
        })
    }

    public func appendAuditEntry(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) throws {
        try AuditLog(index: index).append(action: action, ids: ids, reason: reason, sha256: sha256, details: details)
    }
}
