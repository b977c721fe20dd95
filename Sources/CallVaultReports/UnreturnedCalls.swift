import CallVaultCore
import CallVaultStore
import GRDB

/// `report missed --unreturned` from ``CallerLastCalls``, a page at a time.
///
/// A missed call is unreturned exactly when it is not before the caller's last answered call. The
/// candidates are the callers whose last missed (or abandoned) call is in the period or later and
/// whose last answered call is not after it and is before the period's end — the covering index
/// of `report_caller_last` picks them — and their calls from the last answered one on, one range
/// of `calls_caller` each. That range is read from the index alone (time and rowid), sorted by
/// time, and only then are rows fetched, whole seconds a batch at a time (ties by id, as the scan
/// orders them), with the rest of the filter and the outcome checked on each: a page of the last
/// month of 10M calls (tens of thousands of unreturned calls) fetches a page of rows, not all.
struct UnreturnedCalls {
    let filter: ReportFilter
    /// Candidate calls fetched per statement (whole seconds: a few more when a second straddles).
    static let batch = 256

    /// The period's candidate calls as (started_at, rowid), in time order: every call of each
    /// candidate caller from the last answered one on, in the period (the answered call itself
    /// included when it shares the second: ``page(_:limit:)`` checks the outcome).
    func candidates(_ db: Database) throws -> [(String, Int64)] {
        let (sql, arguments) = candidateQuery()
        var out: [(String, Int64)] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let r = try cursor.next() { out.append((r[0], r[1])) }
        out.sort { $0.0 < $1.0 }
        return out
    }

    /// The statement of ``candidates(_:)`` (time bounds only: the rest of the filter needs the row).
    func candidateQuery() -> (String, StatementArguments) {
        let since = filter.since.map { Timestamp.format($0) } ?? ""
        var sql = """
            SELECT c.started_at, c.rowid FROM \(CallerLastCalls.table) r INDEXED BY report_caller_last_missed
                CROSS JOIN calls c INDEXED BY calls_caller
            WHERE r.last_missed_at >= ? AND (r.last_answered_at IS NULL OR (r.last_answered_at <= r.last_missed_at
            """
        var arguments: StatementArguments = [since]
        if let until = filter.until.map({ Timestamp.format($0) }) {
            sql += " AND r.last_answered_at < ?))"
            arguments += [until]
            sql += " AND c.caller = r.caller_number AND c.started_at >= max(ifnull(r.last_answered_at, ''), ?) AND c.started_at < ?"
            arguments += [since, until]
        } else {
            sql += "))"
            sql += " AND c.caller = r.caller_number AND c.started_at >= max(ifnull(r.last_answered_at, ''), ?)"
            arguments += [since]
        }
        return (sql, arguments)
    }

    /// The unreturned calls in order (started_at, then id), at most `limit` (0: all), and
    /// whether more follow. Rows have ``MissedReport``'s columns (`answered_at` NULL).
    func page(_ db: Database, limit: Int) throws -> (rows: [Row], more: Bool) {
        let (clause, filterArguments) = filter.query.whereClause()
        let and = clause.isEmpty ? "WHERE " : clause + " AND "
        let all = try candidates(db)
        var rows: [Row] = []
        var i = 0
        while i < all.count {
            // Whole seconds, up to ~`batch` calls, fetched in one statement and ordered by time,
            // then id; the next batch starts at a later second, so the order holds across them.
            var j = i
            while j < all.count && (j - i < Self.batch || all[j].0 == all[j - 1].0) { j += 1 }
            // The rowids as one JSON array bound once (no limit on a second's calls).
            let rowids = "[" + all[i..<j].map { String($0.1) }.joined(separator: ",") + "]"
            let fetched = try Row.fetchAll(db, sql: """
                SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms, NULL AS answered_at
                FROM calls c \(and)c.rowid IN (SELECT value FROM json_each(?)) AND c.outcome <> \(Outcome.answered.sqlLiteral)
                ORDER BY c.started_at, c.id
                """, arguments: filterArguments + [rowids])
            for row in fetched {
                if limit > 0 && rows.count == limit { return (rows, true) }
                rows.append(row)
            }
            i = j
        }
        return (rows, false)
    }
}
