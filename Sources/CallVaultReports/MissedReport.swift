import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report missed [--unreturned]`: missed and abandoned calls, and whether the caller got through later.
public enum MissedReport {
    public static let columns = ["started_at", "id", "caller", "campaign", "tracking_number", "outcome", "duration_ms",
                                 "got_through_later", "answered_at"]

    /// "Got through later" is one seek per missed call in `calls_caller_answered` (caller,
    /// started_at of answered calls), however many calls the caller made.
    ///
    /// Without `--campaign` the missed calls and the abandoned ones are each read in time order
    /// from `calls_outcome` (outcome, started_at) and merged, so nothing is sorted and `limit`
    /// stops the reading (a page of a month of 10M calls reads a page of rows). With `--campaign`
    /// the planner chooses (`calls_campaign` reads only those campaigns' calls) and sorts.
    /// Rows with the same second are ordered by id.
    static func sql(_ clause: String, outcome: Bool) -> String {
        """
        SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms,
               (SELECT min(a.started_at) FROM calls a WHERE a.caller = c.caller AND a.outcome = \(Outcome.answered.sqlLiteral) AND a.started_at > c.started_at) AS answered_at
        FROM calls c \(outcome ? "INDEXED BY calls_outcome " : "")\(clause)
        ORDER BY c.started_at, c.id
        """
    }

    /// A row of the listing from a row of ``sql(_:outcome:)`` (or ``UnreturnedCalls``).
    static func row(_ r: Row) -> [ReportTable.Value] {
        let answeredAt: String? = r["answered_at"]
        return [.text(r["started_at"]), .text(r["id"]), .optional(r["caller"]), .optional(r["campaign"]),
                .text(r["tracking_number"]), .text(r["outcome"]), .int(r["duration_ms"]),
                .text(answeredAt == nil ? "no" : "yes"), .optional(answeredAt)]
    }

    /// `limit`: at most that many rows (0: all); a note then says how many there were in all
    /// (with `unreturnedOnly`, that more follow: counting them would check every call).
    public static func run(_ index: CallIndex, filter: ReportFilter, unreturnedOnly: Bool, limit: Int = 0) throws -> ReportTable {
        let (clause, arguments) = filter.query.whereClause()
        let and = clause.isEmpty ? "WHERE " : clause + " AND "
        var table = ReportTable(title: unreturnedOnly ? "Missed calls not returned (call-back list)" : "Missed and abandoned calls",
                                columns: columns, notes: filter.notes)
        var more = false
        try index.pool.read { db in
            // Unqualified columns in these WHEREs are the outer `c`: the only table of the outer FROM.
            if unreturnedOnly, !filter.exactScan, try CallerLastCalls.available(db) {
                let page = try UnreturnedCalls(filter: filter).page(db, limit: limit)
                for r in page.rows { table.rows.append(row(r)) }
                more = page.more
                if more { table.notes.append("showing the first \(limit) calls; more follow; --limit 0 for all") }
                return
            }
            var cursors: [RowCursor] = []
            if filter.campaigns.isEmpty {
                for o in [Outcome.missed, .abandoned] {
                    cursors.append(try Row.fetchCursor(db, sql: sql(and + "c.outcome = \(o.sqlLiteral)", outcome: true), arguments: arguments))
                }
            } else {
                let both = and + "c.outcome IN (\(Outcome.missed.sqlLiteral), \(Outcome.abandoned.sqlLiteral))"
                cursors.append(try Row.fetchCursor(db, sql: sql(both, outcome: false), arguments: arguments))
            }
            var heads = try cursors.map { try $0.next()?.copy() }
            while true {
                // The earliest head (started_at, then id): the cursors are each in that order.
                var pick: Int?
                for (i, h) in heads.enumerated() {
                    guard let h else { continue }
                    if let p = pick, let current = heads[p] {
                        let a: String = h["started_at"], b: String = current["started_at"]
                        if a < b || (a == b && (h["id"] as String) < (current["id"] as String)) { pick = i }
                    } else { pick = i }
                }
                guard let i = pick, let r = heads[i] else { break }
                heads[i] = try cursors[i].next()?.copy()
                let answeredAt: String? = r["answered_at"]
                let caller: String? = r["caller"]
                if unreturnedOnly && (answeredAt != nil || caller == nil) { continue }
                if limit > 0 && table.rows.count == limit { more = true; break }
                table.rows.append(row(r))
            }
            if more && !unreturnedOnly {
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls c \(and)c.outcome IN (\(Outcome.missed.sqlLiteral), \(Outcome.abandoned.sqlLiteral))",
                                             arguments: arguments) ?? 0
                table.notes.append("showing the first \(limit) of \(total) calls; --limit 0 for all")
            } else if more {
                table.notes.append("showing the first \(limit) calls; more follow; --limit 0 for all")
            }
        }
        table.notes.append("\(table.rows.count) calls" + (unreturnedOnly ? "; anonymous callers cannot be called back and are left out" : ""))
        return table
    }
}
