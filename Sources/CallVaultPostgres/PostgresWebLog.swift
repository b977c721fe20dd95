import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The website's logs on a PostgreSQL index (`pg-v5-web-logs`): Store's ``WebLog`` (the same
/// rows, added and updated by id, the same counts, relink and audit entries), so `web
/// import-callbacks` and `import-sessions` say the same on both backends and attribute the calls
/// alike (``PostgresAttribution``).
///
/// An import holds ``PostgresRegistry/lockKey`` exclusively, as a registry import does: a call
/// ingested meanwhile is either re-linked by it or attributed by its rows.
public struct PostgresWebLog: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    /// Adds or updates call-back requests by `request_id`, then re-links outbound calls.
    public func importCallbacks(_ requests: [CallbackRequest], file: String, windows: AttributionWindows, now: Date) async throws -> WebLog.ImportResult {
        try await upsert(.callbacks, rows: WebLog.rows(requests), file: file, now: now, windows: windows)
    }

    /// Adds or updates sessions by `session_id`, then re-links the calls to pool numbers.
    public func importSessions(_ sessions: [WebSession], file: String, windows: AttributionWindows, now: Date) async throws -> WebLog.ImportResult {
        try await upsert(.sessions, rows: WebLog.rows(sessions), file: file, now: now, windows: windows)
    }

    /// Rows are `kind.columns` values, the id first, compared in file order with what is stored
    /// (a row equal to the one in place is not counted nor written), as SQLite's import does. One
    /// transaction: every row, the relink and the audit entry, or nothing.
    private func upsert(_ kind: WebLog.Kind, rows: [[String?]], file: String, now: Date, windows: AttributionWindows) async throws -> WebLog.ImportResult {
        let logger = index.logger
        let columns = kind.columns
        return try await index.transaction("importing \(kind.table) from \(file)") { c in
            _ = try await c.query("SELECT pg_advisory_xact_lock(\(PostgresRegistry.lockKey))", logger: logger).collect()
            var stored: [String: [String?]] = [:]
            let ids = Array(Set(rows.compactMap { $0.first ?? nil }))
            var binds = PostgresBindings()
            binds.append(ids)
            let existing = try await c.query(PostgresQuery(unsafeSQL: """
                SELECT \(columns.joined(separator: ", ")) FROM \(kind.table) WHERE \(columns[0]) = ANY($1)
                """, binds: binds), logger: logger).collect()
            for row in existing {
                let values = try row.map { try $0.decode(String?.self) }
                if let id = values.first ?? nil { stored[id] = values }
            }
            var added = 0, changed = 0
            var written: [String] = [], seen: Set<String> = []
            for values in rows {
                guard let id = values.first ?? nil else { continue }
                if let old = stored[id] {
                    if old == values { continue }
                    changed += 1
                } else {
                    added += 1
                }
                if seen.insert(id).inserted { written.append(id) }
                stored[id] = values
            }
            guard added + changed > 0 else { return WebLog.ImportResult(rows: rows.count, added: 0, changed: 0, callsRelinked: 0) }
            let all = columns + ["imported_at", "imported_from"]
            let importedAt = Timestamp.format(now)
            let update = all.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            // Rows in batches (15 parameters at most each, well under PostgreSQL's 65,535 a statement).
            var start = 0
            while start < written.count {
                let batch = written[start..<min(start + 1000, written.count)]
                var binds = PostgresBindings()
                var tuples: [String] = []
                for id in batch {
                    let first = binds.count + 1
                    for value in (stored[id] ?? []) + [importedAt, file] { binds.append(value) }
                    tuples.append("(" + (first..<first + all.count).map { "$\($0)" }.joined(separator: ", ") + ")")
                }
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(kind.table) (\(all.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))
                    ON CONFLICT (\(columns[0])) DO UPDATE SET \(update)
                    """, binds: binds), logger: logger)
                start += batch.count
            }
            let relinked = try await PostgresAttribution.relink(c, logger: logger, windows: windows, condition: kind.relink)
            let result = WebLog.ImportResult(rows: rows.count, added: added, changed: changed, callsRelinked: relinked)
            try await PostgresAuditLog.append(c, logger: logger, action: kind.action, ids: [], reason: WebLog.importReason,
                                              details: WebLog.importDetails(file: file, result))
            return result
        }
    }
}
