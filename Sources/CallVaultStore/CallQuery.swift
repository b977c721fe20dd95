import CallVaultCore
import Foundation
import GRDB

/// The filters of `callvault query`, all combinable, turned into one parameterised SQL query.
public struct CallQuery: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case startedAt = "started_at", duration }

    public var campaigns: [String] = []
    public var source: String?
    public var trackingNumber: String?
    public var caller: String?
    /// Case-insensitive (ASCII letters, as SQLite's LIKE) substring of the caller's name in the
    /// caller directory or of the switch's `caller_name`.
    public var callerName: String?
    public var outcome: Outcome?
    public var since: Date?
    public var until: Date?
    public var minDurationMs: Int?
    public var unassigned = false
    /// Only calls with a redaction: a span silenced (DTMF or requested) or a sidecar field's card number replaced.
    public var redacted = false
    public var ids: [String] = []
    public var sort: Sort = .startedAt
    public var ascending = false
    /// 0: no limit.
    public var limit = 100
    /// Matches skipped before the first returned (paging).
    public var offset = 0

    public init() {}

    /// `WHERE …` and its arguments (never string-built from values).
    public func whereClause() -> (sql: String, arguments: StatementArguments) {
        let (sql, values) = conditions()
        return (sql, StatementArguments(values.map(\.databaseValue)))
    }

    /// `WHERE …` with `?` placeholders and their values, for any backend (PostgreSQL numbers the
    /// placeholders). The caller-name filter matches any case of ASCII letters, as SQLite's `LIKE`
    /// does: PostgreSQL's `LIKE` is case-sensitive, so it is `ILIKE` there (over byte-ordered
    /// text, `COLLATE "C"`, which folds ASCII letters only, as SQLite).
    public func conditions(_ dialect: HoldMatch.Dialect = .sqlite) -> (sql: String, values: [IndexValue]) {
        var conditions: [String] = []
        var values: [IndexValue] = []
        if !campaigns.isEmpty {
            conditions.append("campaign IN (\(Array(repeating: "?", count: campaigns.count).joined(separator: ", ")))")
            values += campaigns.map(IndexValue.text)
        }
        if let source { conditions.append("source = ?"); values.append(.text(source)) }
        if let trackingNumber { conditions.append("tracking_number = ?"); values.append(.text(trackingNumber)) }
        if let caller { conditions.append("caller = ?"); values.append(.text(caller)) }
        if let callerName {
            // % and _ in the text are literal: escaped, with \ as the escape character.
            let pattern = "%" + Self.likeEscaped(callerName) + "%"
            let like = dialect == .postgres ? "ILIKE" : "LIKE"
            conditions.append("""
                (caller_name \(like) ? ESCAPE '\\' OR caller IN (SELECT number FROM caller_directory WHERE name \(like) ? ESCAPE '\\'))
                """)
            values += [.text(pattern), .text(pattern)]
        }
        if let outcome { conditions.append("outcome = ?"); values.append(.text(outcome.rawValue)) }
        if let since { conditions.append("started_at >= ?"); values.append(.text(Timestamp.format(since))) }
        if let until { conditions.append("started_at < ?"); values.append(.text(Timestamp.format(until))) }
        if let minDurationMs { conditions.append("duration_ms >= ?"); values.append(.integer(Int64(minDurationMs))) }
        if unassigned { conditions.append("campaign IS NULL") }
        if redacted { conditions.append(Self.redactedCondition) }
        if !ids.isEmpty {
            conditions.append("id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
            values += ids.map(IndexValue.text)
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }

    /// A call had a redaction; also the condition of the partial index `calls_redacted` (v11), which
    /// SQLite uses only for this exact text.
    static let redactedCondition = "(redactions <> '[]' OR redacted_fields <> '[]')"

    /// `text` for a LIKE pattern with `ESCAPE '\'`: `%`, `_` and `\` match themselves.
    static func likeEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public struct Result: Sendable {
        public var records: [CallRecord]
        /// Matches in all; more than `records.count` when the limit cut the list.
        public var total: Int

        public init(records: [CallRecord], total: Int) {
            self.records = records
            self.total = total
        }
    }

    public func run(_ index: CallIndex) throws -> Result {
        try index.pool.read { db in
            let (total, sql, args) = try page(db, columns: "*")
            return Result(records: try CallRecord.fetchAll(db, sql: sql, arguments: args), total: total)
        }
    }

    /// The same matches, order and page as ``run(_:)``, as ``CallListing`` rows: only the columns a
    /// list of calls shows, read by position. The web search page lists 50 calls a request, and
    /// decoding 50 whole records (every column through `Codable`, the JSON columns through a JSON
    /// decoder) was half of its time.
    public func listing(_ index: CallIndex) throws -> (rows: [CallListing], total: Int) {
        try index.pool.read { db in
            let (total, sql, args) = try page(db, columns: CallListing.columns)
            // Read through a cursor: each row is decoded from the statement in place, not first
            // copied into an array of `Row`s (a tenth of a search page's CPU went to the copies).
            var rows: [CallListing] = []
            rows.reserveCapacity(min(max(limit, 0), 1000))
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: args)
            while let row = try cursor.next() { rows.append(try CallListing(row: row)) }
            return (rows, total)
        }
    }

    /// The count of all matches, and the page's statement with its arguments.
    private func page(_ db: Database, columns: String) throws -> (Int, String, StatementArguments) {
        let (clause, arguments) = whereClause()
        let order = (sort == .startedAt ? "started_at" : "duration_ms") + (ascending ? " ASC" : " DESC") + ", id"
        // Cached statements: the same search again (a page of the web form, another client) skips
        // SQLite's parse and GRDB's authorizer; the text holds only placeholders, never values.
        let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM calls \(clause)"), arguments: arguments) ?? 0
        if let merged = mergedCampaigns(columns: columns, order: order) { return (total, merged.sql, merged.arguments) }
        var sql = "SELECT \(columns) FROM calls \(clause) ORDER BY \(order)"
        var args = arguments
        if limit > 0 || offset > 0 { sql += " LIMIT ?"; args += [limit > 0 ? limit : -1] }
        if offset > 0 { sql += " OFFSET ?"; args += [offset] }
        return (total, sql, args)
    }

    /// A page of several campaigns by time as one ordered range of `calls_campaign` per campaign,
    /// each cut at the page's end, merged: `campaign IN (…)` read every call of those campaigns in
    /// the period and sorted them all for the first hundred (10M calls, two campaigns, a week:
    /// 9,582 rows for 100, 52 ms; one campaign takes 17). Nil when that is not the query.
    private func mergedCampaigns(columns: String, order: String) -> (sql: String, arguments: StatementArguments)? {
        var seen = Set<String>()
        let distinct = campaigns.filter { seen.insert($0).inserted }
        // (SQLite joins at most 500 SELECTs in one compound.)
        guard distinct.count > 1, distinct.count <= 400, sort == .startedAt, limit > 0 else { return nil }
        var parts: [String] = [], arguments: StatementArguments = []
        for campaign in distinct {
            var one = self
            one.campaigns = [campaign]
            let (clause, values) = one.whereClause()
            parts.append("SELECT * FROM (SELECT \(columns) FROM calls \(clause) ORDER BY \(order) LIMIT ?)")
            arguments += values
            arguments += [limit + offset]
        }
        arguments += [limit, offset]
        return ("SELECT * FROM (\(parts.joined(separator: " UNION ALL "))) ORDER BY \(order) LIMIT ? OFFSET ?", arguments)
    }
}
