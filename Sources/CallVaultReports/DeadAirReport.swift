import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report dead-air`: answered calls whose longest inner silence (not leading, not trailing) exceeds a threshold.
public enum DeadAirReport {
    public static let columns = ["started_at", "id", "campaign", "caller", "duration_ms", "longest_inner_silence_ms", "silence_at_ms"]

    public static func run(_ index: CallIndex, filter: ReportFilter, thresholdMs: Int) throws -> ReportTable {
        // At the default threshold or above, the candidates come from calls_dead_air (answered
        // calls with a silence over 10 s, by start time): only those calls are fetched.
        let useIndex = try !filter.exactScan && thresholdMs >= DeadAirIndex.floorMs && DeadAirIndex.available(index)
        var rows: [Row]
        if useIndex, let since = filter.since, let until = filter.until, until.timeIntervalSince(since) >= 2 * 86400 {
            // Over two days or more, the later half read on a thread (and read transaction) of
            // its own meanwhile: the calls' rows are read from all over the file, one page each,
            // and a month of 10M calls is ~20,000 of them. Halves in order keep the listing's order.
            let mid = Date(timeIntervalSince1970: ((since.timeIntervalSince1970 + until.timeIntervalSince1970) / 2).rounded(.down))
            var first = filter, second = filter
            first.until = mid
            second.since = mid
            let (later, earlier) = try PartThread.both(
                on: { try index.pool.read { db in try Self.rows(db, second, thresholdMs: thresholdMs, useIndex: true) } },
                here: { try index.pool.read { db in try Self.rows(db, first, thresholdMs: thresholdMs, useIndex: true) } })
            rows = earlier + later
        } else {
            rows = try index.pool.read { db in try Self.rows(db, filter, thresholdMs: thresholdMs, useIndex: useIndex) }
        }
        var table = ReportTable(title: "Dead air: answered calls with an inner silence over \(thresholdMs / 1000) s", columns: columns, notes: filter.notes)
        for r in rows {
            // Columns by position: a name is looked up (and lowercased) per cell.
            guard let inner: Int = r[5], inner > thresholdMs else { continue }
            table.rows.append([.text(r[0]), .text(r[1]), .optional(r[2]), .optional(r[3]), .int(r[4]), .int(inner), .int(r[6])])
        }
        return table
    }

    /// The answered calls of `filter` with a silence over the threshold, by start then id: start,
    /// id, campaign, caller, duration, longest inner silence, where it starts.
    private static func rows(_ db: Database, _ filter: ReportFilter, thresholdMs: Int, useIndex: Bool) throws -> [Row] {
        var (clause, arguments) = filter.query.whereClause()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "outcome = \(Outcome.answered.sqlLiteral) AND longest_silence_ms > ?"
        arguments += [thresholdMs]
        // The term repeating the index's condition lets SQLite use it; its planner would
        // otherwise prefer calls_outcome, which fetches every answered call of the period.
        if useIndex { clause += " AND longest_silence_ms > \(DeadAirIndex.floorMs)" }
        let source = useIndex ? "calls INDEXED BY \(DeadAirIndex.name)" : "calls"
        // Objects only (a CASE, in order): json_extract fails on a string item's bare text, which
        // only a hand edit leaves; such items are no silence, as for the dead-air counts.
        let start = "(CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.start_ms') END)"
        let end = "(CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.end_ms') END)"
        return try Row.fetchAll(db, sql: """
            SELECT started_at, id, campaign, caller, duration_ms,
                   (SELECT max(\(end) - \(start)) FROM json_each(calls.silences) j
                    WHERE \(start) > 0 AND \(end) < calls.duration_ms) AS inner_ms,
                   (SELECT \(start) FROM json_each(calls.silences) j
                    WHERE \(start) > 0 AND \(end) < calls.duration_ms
                    ORDER BY \(end) - \(start) DESC LIMIT 1) AS at_ms
            FROM \(source) \(clause) ORDER BY started_at, id
            """, arguments: arguments)
    }
}
