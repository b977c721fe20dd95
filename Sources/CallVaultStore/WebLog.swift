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

        public init(rows: Int, added: Int, changed: Int, callsRelinked: Int) {
            self.rows = rows
            self.added = added
            self.changed = changed
            self.callsRelinked = callsRelinked
        }
    }

    /// One kind of web log as stored: its table, columns (the id first), audit action and the
    /// calls an import of it re-links. Shared with the PostgreSQL index, which stores them alike.
    public struct Kind: Sendable {
        public var table: String
        public var columns: [String]
        public var action: String
        /// The calls it can concern (a condition on `calls`, without values).
        public var relink: String

        public static let callbacks = Kind(table: "callback_requests", columns: CallbackRequest.columns, action: "callbacks_imported",
                                           relink: "direction = 'outbound'")
        public static let sessions = Kind(table: "web_sessions", columns: WebSession.columns, action: "sessions_imported",
                                          relink: "tracking_number IN (SELECT tracking_number FROM registry WHERE pool IS NOT NULL)")
    }

    /// The stored values of `requests`, in ``Kind/callbacks``'s columns.
    public static func rows(_ requests: [CallbackRequest]) -> [[String?]] {
        requests.map { r -> [String?] in
            let required: [String?] = [r.requestID, r.phone, IndexTime.text(r.requestedAt)]
            return required + r.optionalFields.map(\.value)
        }
    }

    /// The stored values of `sessions`, in ``Kind/sessions``'s columns.
    public static func rows(_ sessions: [WebSession]) -> [[String?]] {
        sessions.map { s -> [String?] in
            let required: [String?] = [s.sessionID, s.poolNumber, IndexTime.text(s.firstSeen), IndexTime.text(s.lastSeen)]
            return required + s.optionalFields.map(\.value)
        }
    }

    /// The audit entry's reason and details of an import that changed something.
    public static let importReason = "callvault web import"
    public static func importDetails(file: String, _ r: ImportResult) -> [String: String] {
        ["file": file, "rows": "\(r.rows)", "added": "\(r.added)", "changed": "\(r.changed)", "calls_relinked": "\(r.callsRelinked)"]
    }

    /// Adds or updates call-back requests by `request_id`, then re-links outbound calls.
    public func importCallbacks(_ requests: [CallbackRequest], file: String, windows: AttributionWindows, now: Date) throws -> ImportResult {
        try upsert(.callbacks, rows: Self.rows(requests), file: file, now: now, windows: windows)
    }

    /// Adds or updates sessions by `session_id`, then re-links the calls to pool numbers.
    public func importSessions(_ sessions: [WebSession], file: String, windows: AttributionWindows, now: Date) throws -> ImportResult {
        try upsert(.sessions, rows: Self.rows(sessions), file: file, now: now, windows: windows)
    }

    /// Rows are `columns` values, the id first. One transaction: every row and the relink, or nothing.
    private func upsert(_ kind: Kind, rows: [[String?]], file: String, now: Date, windows: AttributionWindows) throws -> ImportResult {
        let (table, columns) = (kind.table, kind.columns)
        return try index.pool.write { db in
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
            let relinked = try CallAttributor.relink(db, windows: windows, condition: kind.relink)
            let result = ImportResult(rows: rows.count, added: added, changed: changed, callsRelinked: relinked)
            try AuditLog.append(db, action: kind.action, ids: [], reason: Self.importReason, details: Self.importDetails(file: file, result))
            return result
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
