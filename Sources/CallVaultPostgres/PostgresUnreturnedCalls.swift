import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// `report missed --unreturned` on PostgreSQL, a page at a time, as SQLite's (Reports'
/// `UnreturnedCalls`): a missed call is unreturned exactly when it is not before the caller's
/// last answered call.
///
/// 1. The candidate callers from `report_caller_last` (pg-v8: last missed call in the period or
///    later, last answered call not after it and before the period's end), and each one's calls
///    from the second of the last answered one on, in the period (a call in that same second has
///    no answered call after it) — read from `calls_caller` alone (an index-only scan: caller and
///    time, no row), sent as one row of two arrays. (`MATERIALIZED` and `OFFSET 0`: left to
///    itself the planner walked every call of the period by time, probing each caller's row.)
/// 2. Sorted by time here; then the rows of whole seconds at a time, with the rest of the filter
///    and the outcome checked on each (the answered call that opens a range, and calls outside
///    the filter, drop out), ordered by time then id — until the page is full. (The whole list,
///    `--limit 0`, is one statement instead: ``everyCall(_:logger:)``.)
///
/// 10M calls, the last month (19,633 candidates, 27,709 unreturned calls): fetching every
/// candidate call's row before sorting took 285 ms of the server; the ranges alone take half
/// that, and a page of 1,000 fetches about 1,700 rows.
struct PostgresUnreturnedCalls {
    let query: CallQuery
    /// Calls to a page (0: all).
    let limit: Int
    /// Candidate calls whose rows the first statement of a page fetches (whole seconds: a few
    /// more when a second straddles); each next statement takes twice as many, up to
    /// ``largestBatch``.
    static let firstBatch = 256
    static let largestBatch = 16_384

    /// The unreturned calls in order (start, then id): `limit + 1` when more follow (`limit` > 0),
    /// else all.
    func calls(_ connection: PostgresConnection, logger: Logger) async throws -> [MissedCalls.Call] {
        guard limit > 0 else { return try await everyCall(connection, logger: logger) }
        let keys = try await candidates(connection, logger: logger)
        var calls: [MissedCalls.Call] = []
        var i = 0, batch = Self.firstBatch
        while i < keys.count {
            var j = i
            while j < keys.count && (j - i < batch || keys[j].startedAt == keys[j - 1].startedAt) { j += 1 }
            calls += try await rows(keys[i..<j], connection, logger: logger)
            if calls.count > limit { return Array(calls.prefix(limit + 1)) }
            batch = min(batch * 2, Self.largestBatch)
            i = j
        }
        return calls
    }

    /// One candidate call: its caller and start (the key of `calls_caller`).
    struct Key {
        var caller: String, startedAt: String
    }

    /// Every candidate call as (caller, start), sorted by start (text of ASCII digits: byte
    /// order). A caller's calls of one second are as many equal pairs, in one batch (batches end
    /// between seconds), whose fetch takes each call once (`IN`).
    func candidates(_ connection: PostgresConnection, logger: Logger) async throws -> [Key] {
        var more = "", values: [IndexValue] = []
        if let until = query.until {
            more = " AND c.started_at < ?"
            values.append(.text(Timestamp.format(until)))
        }
        let (sql, binds) = try ranges(select: "array_agg(m.caller), array_agg(m.started_at)", columns: "c.caller, c.started_at", more, values)
        var keys: [Key] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            let cells = PostgresRandomAccessRow(row)
            let callers = try PostgresArrayCell.texts(cells[0]), starts = try PostgresArrayCell.texts(cells[1])
            keys = zip(callers, starts).map { Key(caller: $0, startedAt: $1) }
        }
        return keys.sorted { $0.startedAt < $1.startedAt }
    }

    /// Every unreturned call in one statement, its rows fetched as the ranges are walked: for the
    /// whole list (`--limit 0`) a second pass over the ranges' keys cost more than it saved
    /// (10M, the last month's 27,709 calls: 0.59 s this way, 0.83 s by ``candidates(_:logger:)``).
    func everyCall(_ connection: PostgresConnection, logger: Logger) async throws -> [MissedCalls.Call] {
        let (clause, filterValues) = query.conditions()
        // The filter's unqualified columns are `calls`': the only table of the inner FROM.
        let more = " AND c.outcome <> ?" + (clause.isEmpty ? "" : " AND " + clause.dropFirst("WHERE ".count))
        let (sql, binds) = try ranges(select: "m.started_at, m.id, m.caller, m.campaign, m.tracking_number, m.outcome, m.duration_ms",
                                      columns: "c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms",
                                      more, [.text(Outcome.answered.rawValue)] + filterValues, orderBy: " ORDER BY m.started_at, m.id")
        return try await Self.decode(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
    }

    /// `SELECT select` over the candidate callers' ranges of calls (each range's `columns`, with
    /// the conditions `more` and its values).
    func ranges(select: String, columns: String, _ more: String, _ moreValues: [IndexValue], orderBy: String = "") throws -> (String, PostgresBindings) {
        let since = IndexValue.text(query.since.map { Timestamp.format($0) } ?? "")
        var values: [IndexValue] = [since]
        var sql = """
            WITH r AS MATERIALIZED (
                SELECT caller_number, last_answered_at FROM report_caller_last
                WHERE last_missed_at >= ? AND (last_answered_at IS NULL OR last_answered_at <= last_missed_at
            """
        if let until = query.until {
            sql += " AND last_answered_at < ?"
            values.append(.text(Timestamp.format(until)))
        }
        sql += """
            ))
            SELECT \(select)
            FROM r, LATERAL (SELECT \(columns) FROM calls c
                             WHERE c.caller = r.caller_number AND c.started_at >= greatest(coalesce(r.last_answered_at, ''), ?)\(more) OFFSET 0) m\(orderBy)
            """
        values += [since] + moreValues
        return try PostgresCallReader.numbered(sql, values)
    }

    /// The calls of a statement selecting ``MissedCalls/Call``'s columns but `answered_at`.
    static func decode(_ rows: PostgresRowSequence) async throws -> [MissedCalls.Call] {
        try await rows.collect().map { row in
            let (startedAt, id, caller, campaign, number, outcome, duration) = try row.decode((String, String, String?, String?, String, String, Int).self)
            return MissedCalls.Call(startedAt: startedAt, id: id, caller: caller, campaign: campaign, trackingNumber: number,
                                    outcome: outcome, durationMs: duration, answeredAt: nil)
        }
    }

    /// The unreturned calls among the calls of `keys` that the filter takes, by start then id.
    func rows(_ keys: ArraySlice<Key>, _ connection: PostgresConnection, logger: Logger) async throws -> [MissedCalls.Call] {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "c.outcome <> ?"
        values.append(.text(Outcome.answered.rawValue))
        // The filter's unqualified columns are `c`'s: the only table of the FROM. The keys are
        // the two parameters after the filter's, as arrays.
        let (a, b) = (values.count + 1, values.count + 2)
        var (sql, binds) = try PostgresCallReader.numbered("""
            SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms FROM calls c
            \(clause) AND (c.caller, c.started_at) IN (SELECT k.caller, k.started_at FROM unnest($\(a)::text[], $\(b)::text[]) AS k(caller, started_at))
            ORDER BY c.started_at, c.id
            """, values)
        binds.append(keys.map(\.caller))
        binds.append(keys.map(\.startedAt))
        return try await Self.decode(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
    }
}
