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
    /// The period's missed and abandoned calls come through `calls_outcome` (outcome, started_at):
    /// only those rows are fetched, then sorted. SQLite prefers `calls_started_at` for the ORDER BY,
    /// which fetches every call of the period to test its outcome (3.4 times the rows, twice the
    /// CPU time on a month of the 1M-call benchmark). With `--campaign` the planner chooses
    /// (`calls_campaign` reads only those campaigns' calls).
    static func sql(_ clause: String, byOutcome: Bool = true) -> String {
        """
        SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms,
               (SELECT min(a.started_at) FROM calls a WHERE a.caller = c.caller AND a.outcome = \(Outcome.answered.sqlLiteral) AND a.started_at > c.started_at) AS answered_at
        FROM calls c \(byOutcome ? "INDEXED BY calls_outcome " : "")\(clause)
        ORDER BY c.started_at
        """
    }

    public static func run(_ index: CallIndex, filter: ReportFilter, unreturnedOnly: Bool) throws -> ReportTable {
        var (clause, arguments) = filter.query.whereClause()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "c.outcome IN (\(Outcome.missed.sqlLiteral), \(Outcome.abandoned.sqlLiteral))"
        // Unqualified columns in this WHERE are the outer `c`: the only table of the outer FROM.
        let rows = try index.pool.read { db in try Row.fetchAll(db, sql: sql(clause, byOutcome: filter.campaigns.isEmpty), arguments: arguments) }
        var table = ReportTable(title: unreturnedOnly ? "Missed calls not returned (call-back list)" : "Missed and abandoned calls",
                                columns: columns, notes: filter.notes)
        for r in rows {
            let answeredAt: String? = r["answered_at"]
            let caller: String? = r["caller"]
            if unreturnedOnly && (answeredAt != nil || caller == nil) { continue }
            table.rows.append([.text(r["started_at"]), .text(r["id"]), .optional(caller), .optional(r["campaign"]),
                               .text(r["tracking_number"]), .text(r["outcome"]), .int(r["duration_ms"]),
                               .text(answeredAt == nil ? "no" : "yes"), .optional(answeredAt)])
        }
        table.notes.append("\(table.rows.count) calls" + (unreturnedOnly ? "; anonymous callers cannot be called back and are left out" : ""))
        return table
    }
}
