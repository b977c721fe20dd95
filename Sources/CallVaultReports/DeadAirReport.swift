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
        // At the default threshold or above, the candidates come from calls_dead_air (answered
        // calls with a silence over 10 s, by start time): only those calls are fetched. The term
        // repeating the index's condition lets SQLite use it; its planner would otherwise prefer
        // calls_outcome, which fetches every answered call of the period.
        let useIndex = try !filter.exactScan && thresholdMs >= DeadAirIndex.floorMs && DeadAirIndex.available(index)
        if useIndex { clause += " AND longest_silence_ms > \(DeadAirIndex.floorMs)" }
        let source = useIndex ? "calls INDEXED BY \(DeadAirIndex.name)" : "calls"
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
