import CallVaultCore
import Foundation
import GRDB

/// The website's logs in the index: pool-number sessions (`web_sessions`) and call-back requests
/// (`callback_requests`), imported by `callvault web import-sessions|import-callbacks`.
///
/// Web logs arrive in daily exports that overlap, so an import adds and updates rows by id and
/// keeps the others (unlike the registry, which a file replaces). The same file again changes
/// nothing and writes nothing; rows that did change re-link the calls they can concern (calls to
/// pool numbers, outbound calls) with the same rules as ingest (``CallAttributor``), so sessions
/// imported after their calls still attribute them.
public struct WebLog: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    static func migrate(_ db: Database) throws {
        try db.alter(table: "registry") { t in t.add(column: "pool", .text) }
        try db.alter(table: "calls") { t in
            t.add(column: "direction", .text)
            t.add(column: "callee", .text)
            t.add(column: "callback_request_id", .text)
            t.add(column: "attribution", .jsonText)
        }
        // Calls archived before: inbound, attributed by number or not at all (no pools existed).
        try db.execute(sql: "UPDATE calls SET direction = 'inbound', attribution = CASE WHEN registry_id IS NULL THEN ? ELSE ? END",
                       arguments: [try CallAttributor.jsonText(CallAttribution.none), try CallAttributor.jsonText(CallAttribution.number)])
        // Outbound calls are few: a call-back import re-links them through this small index.
        try db.execute(sql: "CREATE INDEX calls_outbound ON calls(started_at) WHERE direction = 'outbound'")
        try db.create(table: "web_sessions") { t in
            t.primaryKey("session_id", .text)
            t.column("pool_number", .text).notNull()
            t.column("first_seen", .text).notNull()
            t.column("last_seen", .text).notNull()
            for column in WebSession.columns.dropFirst(4) { t.column(column, .text) }
            t.column("imported_at", .text).notNull()
            t.column("imported_from", .text).notNull()
        }
        try db.create(index: "web_sessions_pool", on: "web_sessions", columns: ["pool_number", "last_seen"])
        try db.create(table: "callback_requests") { t in
            t.primaryKey("request_id", .text)
            t.column("phone", .text).notNull()
            t.column("requested_at", .text).notNull()
            for column in CallbackRequest.columns.dropFirst(3) { t.column(column, .text) }
            t.column("imported_at", .text).notNull()
            t.column("imported_from", .text).notNull()
        }
        try db.create(index: "callback_requests_phone", on: "callback_requests", columns: ["phone", "requested_at"])
    }

    public struct ImportResult: Sendable, Equatable {
        public var rows: Int
        public var added: Int
        public var changed: Int
        public var callsRelinked: Int
        public var unchanged: Bool { added == 0 && changed == 0 }
    }

    /// Adds or updates call-back requests by `request_id`, then re-links outbound calls.
    public func importCallbacks(_ requests: [CallbackRequest], file: String, windows: AttributionWindows, now: Date) throws -> ImportResult {
        let rows = requests.map { r -> [String?] in
            let required: [String?] = [r.requestID, r.phone, IndexTime.text(r.requestedAt)]
            return required + r.optionalFields.map(\.value)
        }
        return try upsert(table: "callback_requests", columns: CallbackRequest.columns, rows: rows, file: file, now: now,
                          action: "callbacks_imported", windows: windows, relink: "direction = 'outbound'")
    }

    /// Adds or updates sessions by `session_id`, then re-links the calls to pool numbers.
    public func importSessions(_ sessions: [WebSession], file: String, windows: AttributionWindows, now: Date) throws -> ImportResult {
        let rows = sessions.map { s -> [String?] in
            let required: [String?] = [s.sessionID, s.poolNumber, IndexTime.text(s.firstSeen), IndexTime.text(s.lastSeen)]
            return required + s.optionalFields.map(\.value)
        }
        return try upsert(table: "web_sessions", columns: WebSession.columns, rows: rows, file: file, now: now, action: "sessions_imported",
                          windows: windows, relink: "tracking_number IN (SELECT tracking_number FROM registry WHERE pool IS NOT NULL)")
    }

    /// Rows are `columns` values, the id first. One transaction: every row and the relink, or nothing.
    private func upsert(table: String, columns: [String], rows: [[String?]], file: String, now: Date, action: String,
                        windows: AttributionWindows, relink condition: String) throws -> ImportResult {
        try index.pool.write { db in
            let select = try db.makeStatement(sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE \(columns[0]) = ?")
            let all = columns + ["imported_at", "imported_from"]
            let write = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO \(table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
                """)
            var added = 0, changed = 0
            let importedAt = Timestamp.format(now)
            for values in rows {
                let existing = try Row.fetchOne(select, arguments: [values[0]])
                if let existing {
                    let old: [String?] = (0..<columns.count).map { existing[$0] }
                    if old == values { continue }
                    changed += 1
                } else {
                    added += 1
                }
                let row: [(any DatabaseValueConvertible)?] = (values + [importedAt, file]).map { $0 }
                try write.execute(arguments: StatementArguments(row))
            }
            guard added + changed > 0 else { return ImportResult(rows: rows.count, added: 0, changed: 0, callsRelinked: 0) }
            let relinked = try CallAttributor.relink(db, windows: windows, condition: condition)
            try AuditLog.append(db, action: action, ids: [], reason: "callvault web import",
                                details: ["file": file, "rows": "\(rows.count)", "added": "\(added)", "changed": "\(changed)",
                                          "calls_relinked": "\(relinked)"])
            return ImportResult(rows: rows.count, added: added, changed: changed, callsRelinked: relinked)
        }
    }

    /// How many sessions and call-back requests the index holds.
    public func counts() throws -> (sessions: Int, requests: Int) {
        try index.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM web_sessions") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM callback_requests") ?? 0)
        }
    }
}
