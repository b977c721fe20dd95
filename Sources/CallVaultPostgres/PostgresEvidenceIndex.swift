import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// An evidence bundle's index side on PostgreSQL (``EvidenceSource``), synchronous as
/// CallVaultArchive's `EvidenceBundle` is: each read waits through ``PostgresBlocking``, so the
/// command runs the bundle on a thread of its own. The hold coverage is SQLite's SQL
/// (``EvidenceIndex/coveredSQL(holdID:_:)``, ``HoldMatch``), the records are decoded by Store's
/// code (``PostgresCallColumns``), the audit rows become the same ``AuditLog/Entry`` values as on
/// SQLite, and the export's entry is appended to ``PostgresAuditLog``'s chain.
///
/// ```swift
/// let bundle = EvidenceBundle(source: PostgresEvidenceIndex(index: index), archiveRoot: root, identities: [])
/// ```
public struct PostgresEvidenceIndex: EvidenceSource {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    public func calls(coveredBy name: String) throws -> [String]? {
        let index = index
        return try PostgresBlocking.wait {
            // One snapshot: the hold and the calls it covers, as SQLite's read.
            try await index.transaction("reading the calls hold \(name.debugDescription) covers") { c -> Covered in
                let logger = index.logger
                _ = try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger).collect()
                guard let holdID = try await c.query("SELECT id FROM holds WHERE name = \(name) AND removed_at IS NULL", logger: logger)
                    .collect().first?.decode(Int64.self) else { return Covered(ids: nil) }
                var binds = PostgresBindings()
                binds.append(holdID)
                let rows = try await c.query(PostgresQuery(unsafeSQL: EvidenceIndex.coveredSQL(holdID: "$1", .postgres), binds: binds),
                                             logger: logger).collect()
                return Covered(ids: try rows.map { try $0.decode(String.self) })
            }
        }.ids
    }

    public func calls(ids: [String]) throws -> (calls: [EvidenceIndex.Call], unknown: [String]) {
        let index = index
        let read = try PostgresBlocking.wait {
            try await index.transaction("reading \(ids.count) call(s) for an evidence bundle") { c -> Read in
                let logger = index.logger
                _ = try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger).collect()
                var idBinds = PostgresBindings()
                idBinds.append(ids)
                var found: [String: CallRecord] = [:]
                for row in try await c.query(PostgresQuery(unsafeSQL: "SELECT * FROM calls WHERE id = ANY($1)", binds: idBinds), logger: logger).collect() {
                    let record = try PostgresCallColumns.record(row)
                    found[record.id] = record
                }
                // The order and repeats as SQLite's reading gives them: each call once, each unknown id once.
                var records: [CallRecord] = []
                var unknown: [String] = []
                for id in ids {
                    if let r = found[id] {
                        if !records.contains(where: { $0.id == r.id }) { records.append(r) }
                    } else if !unknown.contains(id) {
                        unknown.append(id)
                    }
                }
                records.sort { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
                guard !records.isEmpty else { return Read(calls: [], unknown: unknown) }

                var recordBinds = PostgresBindings()
                recordBinds.append(records.map(\.id))
                var holds: [String: [String]] = [:]
                for row in try await c.query(PostgresQuery(unsafeSQL: HoldMatch.namesSQL(idsIn: "= ANY($1)", .postgres), binds: recordBinds),
                                             logger: logger).collect() {
                    let (id, name) = try row.decode((String, String).self)
                    holds[id, default: []].append(name)
                }
                var directory: [String: CallerDirectoryEntry] = [:]
                let callers = Array(Set(records.compactMap(\.caller))).sorted()
                if !callers.isEmpty {
                    var callerBinds = PostgresBindings()
                    callerBinds.append(callers)
                    for row in try await c.query(PostgresQuery(unsafeSQL: """
                        SELECT \(PostgresCallerDirectory.columns) FROM caller_directory WHERE number = ANY($1)
                        """, binds: callerBinds), logger: logger).collect() {
                        let entry = try PostgresCallerDirectory.entry(row)
                        directory[entry.number] = entry
                    }
                }
                let calls = records.map {
                    EvidenceIndex.Call(record: $0, holds: holds[$0.id] ?? [], directory: $0.caller.flatMap { directory[$0] })
                }
                return Read(calls: calls, unknown: unknown)
            }
        }
        return (read.calls, read.unknown)
    }

    public func auditEntries(touching ids: [String]) throws -> [AuditLog.Entry] {
        guard !ids.isEmpty else { return [] }
        let index = index
        var binds = PostgresBindings()
        binds.append(ids)
        let query = PostgresQuery(unsafeSQL: """
            SELECT \(PostgresAuditLog.columns) FROM audit
            WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(audit.ids::jsonb) j WHERE j = ANY($1))
            ORDER BY seq
            """, binds: binds)
        return try PostgresBlocking.wait {
            try await index.query("reading the audit entries of \(ids.count) call(s)", query).map { AuditLog.Entry(try PostgresAuditLog.link($0)) }
        }
    }

    public func auditChain() throws -> EvidenceIndex.Chain {
        let index = index
        let links = try PostgresBlocking.wait { try await PostgresAuditLog(index: index).entries() }
        return EvidenceIndex.Chain(links)
    }

    public func appendAuditEntry(action: String, ids: [String], reason: String, sha256: String?, details: [String: String]) throws {
        let index = index
        try PostgresBlocking.wait {
            try await PostgresAuditLog(index: index).append(action: action, ids: ids, reason: reason, sha256: sha256, details: details)
        }
    }

    private struct Covered: Sendable {
        var ids: [String]?
    }

    private struct Read: Sendable {
        var calls: [EvidenceIndex.Call]
        var unknown: [String]
    }
}
