import CallVaultCore
import GRDB

/// Dead-air counts in the report aggregates (`v18-dead-air-counts`): a `dead_air` column in
/// `report_quarters`, `report_campaign_quarters`, `report_number_days` and `report_area_days`, so
/// `summary` and `area-codes` count the answered calls with dead air per bucket, campaign, source,
/// tracking number and area code without reading them.
///
/// A call has dead air when it was answered and one of its inner silences (not leading, not
/// trailing) lasts over 10 s: exactly the calls `report dead-air` lists at its default threshold.
/// Such a call's longest silence is over 10 s too, so the JSON of its silences is read only for
/// the few answered calls past that (the ones `calls_dead_air` indexes).
///
/// The column is kept by the same triggers as the other sums (``ReportAggregates`` and
/// ``DimensionAggregates``, rewritten here to add it), filled by the migration and by `db
/// rebuild-aggregates` with one pass over the candidates, and sampled by `verify`.
public enum DeadAirCounts {
    /// An inner silence longer than this is dead air (`report dead-air`'s default threshold).
    public static let thresholdMs = DeadAirIndex.floorMs
    /// The tables with a `dead_air` column.
    static let tables = ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"]

    /// Whether this index's aggregates count dead air (an index opened read-only before migrating does not).
    static func available(_ db: Database) throws -> Bool {
        try db.tableExists("report_quarters") && db.columns(in: "report_quarters").contains { $0.name == "dead_air" }
    }

    /// The `v18-dead-air-counts` migration: the columns, the triggers rewritten to keep them, the fill.
    static func migrate(_ db: Database) throws {
        for table in tables { try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN dead_air INTEGER NOT NULL DEFAULT 0") }
        try ReportAggregates.recreateTriggers(db)
        try DimensionAggregates.recreateTriggers(db)
        try fill(db)
    }

    /// Sets each row's `dead_air` from the calls (the rows themselves are there: filled before,
    /// with 0 here), reading only the candidates of `calls_dead_air`.
    static func fill(_ db: Database) throws {
        let dead = HoldMatch.Dialect.sqlite.deadAir("calls.")
        let candidates = "FROM calls INDEXED BY \(DeadAirIndex.name) WHERE outcome = \(Outcome.answered.sqlLiteral) AND longest_silence_ms > \(thresholdMs) AND \(dead) = 1"
        let keys = DimensionAggregates.keysOfCall
        try db.execute(sql: """
            UPDATE report_quarters SET dead_air = g.n FROM (
                SELECT \(ReportAggregates.quarter("started_at")) AS q, count(*) AS n \(candidates) GROUP BY 1) g
                WHERE report_quarters.q = g.q AND report_quarters.outcome = \(Outcome.answered.sqlLiteral);
            UPDATE report_campaign_quarters SET dead_air = g.n FROM (
                SELECT ifnull(campaign, '') AS c, \(ReportAggregates.quarter("started_at")) AS q, count(*) AS n \(candidates) GROUP BY 1, 2) g
                WHERE report_campaign_quarters.campaign = g.c AND report_campaign_quarters.q = g.q
                    AND report_campaign_quarters.outcome = \(Outcome.answered.sqlLiteral);
            """)
        guard try db.tableExists("report_number_days") else { return }
        try db.execute(sql: """
            UPDATE report_number_days SET dead_air = g.n FROM (
                SELECT \(DimensionAggregates.day("started_at")) AS d, \(keys.number) AS k, count(*) AS n \(candidates) GROUP BY 1, 2) g
                WHERE report_number_days.day = g.d AND report_number_days.number_key = g.k;
            UPDATE report_area_days SET dead_air = g.n FROM (
                SELECT \(DimensionAggregates.day("started_at")) AS d, ifnull(campaign, '') AS c, \(keys.area) AS k, count(*) AS n
                \(candidates) GROUP BY 1, 2, 3) g
                WHERE report_area_days.day = g.d AND report_area_days.campaign = g.c AND report_area_days.area_key = g.k;
            """)
    }
}

extension HoldMatch.Dialect {
    /// 1 when the `calls` row `r` (a prefix: `"calls."`, `"NEW."`, `"r."`) is an answered call with
    /// an inner silence over ``DeadAirCounts/thresholdMs`` (a `silences` item starting after 0 and
    /// ending before the call's end), else 0. Its silences are read only when its longest is over it.
    public func deadAir(_ r: String) -> String {
        let t = DeadAirCounts.thresholdMs
        let candidate = "\(r)outcome = \(Outcome.answered.sqlLiteral) AND \(r)longest_silence_ms > \(t)"
        switch self {
        case .sqlite:
            // Items that are not objects (a hand-edited row) are no silence: json_extract would
            // fail on a string item's bare text, so it reads objects only (a CASE, in order).
            let start = "(CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.start_ms') END)"
            let end = "(CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.end_ms') END)"
            return "(CASE WHEN \(candidate) THEN EXISTS (SELECT 1 FROM json_each(\(r)silences) j "
                + "WHERE \(start) > 0 AND \(end) < \(r)duration_ms AND \(end) - \(start) > \(t)) ELSE 0 END)"
        case .postgres:
            // Typed at each step (a CASE, evaluated in order, where an AND's terms may not be): a
            // hand-edited row whose silences are not an array, or whose items are not objects of
            // numbers, has no silence instead of failing the trigger, the fill or the report.
            // (A JSON path with `?` filter reads the same, 3.5 times slower at 10M calls' fill.)
            func field(_ name: String) -> String {
                "(CASE WHEN jsonb_typeof(j.value -> '\(name)') = 'number' THEN CAST(j.value ->> '\(name)' AS numeric) END)"
            }
            let start = field("start_ms"), end = field("end_ms"), json = "CAST(\(r)silences AS jsonb)"
            return "(CASE WHEN \(candidate) THEN (CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements("
                + "CASE WHEN jsonb_typeof(\(json)) = 'array' THEN \(json) ELSE CAST('[]' AS jsonb) END) AS j (value) "
                + "WHERE \(start) > 0 AND \(end) < \(r)duration_ms AND \(end) - \(start) > \(t)) THEN 1 ELSE 0 END) ELSE 0 END)"
        }
    }
}
