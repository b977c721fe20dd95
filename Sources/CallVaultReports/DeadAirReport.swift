import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report dead-air`: answered calls whose longest inner silence (not leading, not trailing) exceeds a threshold.
public enum DeadAirReport {
    public static let columns = ["started_at", "id", "campaign", "caller", "duration_ms", "longest_inner_silence_ms", "silence_at_ms"]

    public static func run(_ index: CallIndex, filter: ReportFilter, thresholdMs: Int) throws -> ReportTable {
        var (clause, arguments) = filter.query.whereClause()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "outcome = \(Outcome.answered.sqlLiteral) AND longest_silence_ms > ?"
        arguments += [thresholdMs]
        // The month's answered calls are read from calls_answered_silence (started_at and the
        // longest silence in the index entry): only the calls over the threshold are fetched.
        // SQLite's planner prefers calls_outcome, which fetches every answered call of the period.
        let useIndex = try !filter.exactScan && ReportAggregates.available(index)
        let source = useIndex ? "calls INDEXED BY calls_answered_silence" : "calls"
        let rows = try index.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT started_at, id, campaign, caller, duration_ms,
                       (SELECT max(json_extract(j.value, '$.end_ms') - json_extract(j.value, '$.start_ms')) FROM json_each(calls.silences) j
                        WHERE json_extract(j.value, '$.start_ms') > 0 AND json_extract(j.value, '$.end_ms') < calls.duration_ms) AS inner_ms,
                       (SELECT json_extract(j.value, '$.start_ms') FROM json_each(calls.silences) j
                        WHERE json_extract(j.value, '$.start_ms') > 0 AND json_extract(j.value, '$.end_ms') < calls.duration_ms
                        ORDER BY json_extract(j.value, '$.end_ms') - json_extract(j.value, '$.start_ms') DESC LIMIT 1) AS at_ms
                FROM \(source) \(clause) ORDER BY started_at, id
                """, arguments: arguments)
        }
        var table = ReportTable(title: "Dead air: answered calls with an inner silence over \(thresholdMs / 1000) s", columns: columns, notes: filter.notes)
        for r in rows {
            guard let inner: Int = r["inner_ms"], inner > thresholdMs else { continue }
            table.rows.append([.text(r["started_at"]), .text(r["id"]), .optional(r["campaign"]), .optional(r["caller"]),
                               .int(r["duration_ms"]), .int(inner), .int(r["at_ms"])])
        }
        return table
    }
}
