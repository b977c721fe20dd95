import CallVaultCore
import Foundation
import GRDB

/// Per UTC day aggregates by tracking number (with its campaign, source and medium) and by caller
/// area code, and which caller called which of them on which day: what `summary --by
/// source|tracking-number`, `area-codes` and the source / medium chart read instead of every call.
///
/// These groupings are not time buckets, so a day is fine enough: whole UTC days inside the
/// period come from these tables, the partial days at either end from the calls (through the
/// started_at index). Keys are small integers, so a row is a few bytes:
///
/// - `report_caller_ids`: an integer per caller number with calls (the rebuild renumbers densely).
/// - `report_number_keys`: each (campaign, tracking number, source, medium) seen on a call.
/// - `report_area_keys`: each (area code, region, place, country) seen on a call; anonymous calls
///   are the key the area-code report prints for them (region `(anonymous)`, the rest empty).
/// - `report_number_days`: per day and number key — calls, answered, missed, abandoned, talk and
///   duration sums.
/// - `report_area_days`: per day, campaign and area key — calls, answered.
/// - `report_caller_days`: per day, caller, number key and area key — calls (anonymous calls are
///   not in it): exact unique callers per source, tracking number or area over any period.
/// - Since `v18-dead-air-counts`, the number and area days count the answered calls with dead
///   air too (``DeadAirCounts``).
///
/// Text that may be NULL is stored as `''` for NULL and `'=' || value` otherwise (``decode(_:)``),
/// so NULL and an empty string stay apart as the scan keeps them; campaign is `''` for none, as in
/// ``ReportAggregates``. Kept by triggers in the writer's transaction, filled by the migration
/// (`v15-report-dimensions`) and by `db rebuild-aggregates`, sampled by `verify`.
public enum DimensionAggregates {
    public static let keyTables = ["report_caller_ids", "report_number_keys", "report_area_keys"]
    /// The day tables (`report_caller_days` only before `v16-caller-packs`, see ``CallerPacks``).
    public static let dayTables = ["report_number_days", "report_area_days", "report_caller_days"]
    public static var tables: [String] { keyTables + dayTables }

    /// A nullable text column, encoded for a key: NULL ▶ `''`, value ▶ `'=value'`. `null` is the
    /// SQL function giving its second argument for a NULL first: SQLite's `ifnull` (what the
    /// triggers and the fill write), or `coalesce` (SQL PostgreSQL runs too, the same in SQLite).
    static func enc(_ column: String, null: String = "ifnull") -> String { "\(null)('=' || \(column), '')" }

    /// The stored form back: `''` ▶ nil, `'=value'` ▶ value.
    public static func decode(_ text: String) -> String? { text.isEmpty ? nil : String(text.dropFirst()) }

    /// floor(epoch / 86400) of a `started_at` column, correct for negative epochs too.
    static func day(_ column: String) -> String {
        let e = "CAST(strftime('%s', \(column)) AS INTEGER)"
        return "((\(e) - (((\(e)) % 86400 + 86400) % 86400)) / 86400)"
    }

    /// The area key of row `r`: anonymous calls are one key, whatever their area columns say.
    static func areaKey(_ r: String, null: String = "ifnull") -> [String] {
        ["CASE WHEN \(r)caller IS NULL THEN '' ELSE \(enc("\(r)caller_area_code", null: null)) END",
         "CASE WHEN \(r)caller IS NULL THEN '=(anonymous)' ELSE \(enc("\(r)caller_region", null: null)) END",
         "CASE WHEN \(r)caller IS NULL THEN '' ELSE \(enc("\(r)caller_place", null: null)) END",
         "CASE WHEN \(r)caller IS NULL THEN '' ELSE \(enc("\(r)caller_country", null: null)) END"]
    }

    static func numberKey(_ r: String, null: String = "ifnull") -> [String] {
        ["\(null)(\(r)campaign, '')", "\(r)tracking_number", enc("\(r)source", null: null), enc("\(r)medium", null: null)]
    }

    static let createTables = """
        CREATE TABLE report_caller_ids (id INTEGER PRIMARY KEY, caller TEXT NOT NULL UNIQUE);
        CREATE TABLE report_number_keys (
            id INTEGER PRIMARY KEY, campaign TEXT NOT NULL, tracking_number TEXT NOT NULL, source TEXT NOT NULL, medium TEXT NOT NULL,
            UNIQUE (campaign, tracking_number, source, medium));
        CREATE TABLE report_area_keys (
            id INTEGER PRIMARY KEY, area_code TEXT NOT NULL, region TEXT NOT NULL, place TEXT NOT NULL, country TEXT NOT NULL,
            UNIQUE (area_code, region, place, country));
        CREATE TABLE report_number_days (
            day INTEGER NOT NULL, number_key INTEGER NOT NULL, calls INTEGER NOT NULL, answered INTEGER NOT NULL,
            missed INTEGER NOT NULL, abandoned INTEGER NOT NULL, talk_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
            PRIMARY KEY (day, number_key)) WITHOUT ROWID;
        CREATE TABLE report_area_days (
            day INTEGER NOT NULL, campaign TEXT NOT NULL, area_key INTEGER NOT NULL, calls INTEGER NOT NULL, answered INTEGER NOT NULL,
            PRIMARY KEY (day, campaign, area_key)) WITHOUT ROWID;
        CREATE TABLE report_caller_days (
            day INTEGER NOT NULL, caller_id INTEGER NOT NULL, number_key INTEGER NOT NULL, area_key INTEGER NOT NULL, calls INTEGER NOT NULL,
            PRIMARY KEY (day, caller_id, number_key, area_key)) WITHOUT ROWID;
        """

    private static func keyLookups(_ r: String, null: String = "ifnull") -> (number: String, area: String, caller: String) {
        let n = numberKey(r, null: null), a = areaKey(r, null: null)
        return ("(SELECT id FROM report_number_keys WHERE campaign = \(n[0]) AND tracking_number = \(n[1]) AND source = \(n[2]) AND medium = \(n[3]))",
                "(SELECT id FROM report_area_keys WHERE area_code = \(a[0]) AND region = \(a[1]) AND place = \(a[2]) AND country = \(a[3]))",
                "(SELECT id FROM report_caller_ids WHERE caller = \(r)caller)")
    }

    /// The keys of a `calls` row as SQL expressions (one look-up each), as the triggers and the
    /// fill write them (SQLite's `ifnull`); the reports read ``portableKeysOfCall``, the same in
    /// SQL PostgreSQL runs too.
    static var keysOfCall: (number: String, area: String, caller: String) { keyLookups("calls.") }

    /// The keys of a `calls` row as SQL expressions (one look-up each) in SQL both backends run.
    public static var portableKeysOfCall: (number: String, area: String, caller: String) { keyLookups("calls.", null: "coalesce") }

    /// What the triggers keep of a caller: v15 a `report_caller_days` row per caller, number key,
    /// area key and day; v16 an entry in ``CallerPacks`` per call (and no `report_caller_days`).
    enum CallerForm { case days, packs }

    /// Statements adding row `R` (NEW) to the tables (`deadAir`: its dead air to the sums, v18).
    private static func add(_ row: String, _ form: CallerForm, deadAir: Bool) -> String {
        let r = row + "."
        let d = day("\(r)started_at")
        let (number, area, caller) = keyLookups(r)
        let o = "\(r)outcome"
        let (deadColumn, deadValue, deadSum) = deadAir
            ? (", dead_air", ", \(HoldMatch.Dialect.sqlite.deadAir(r))", ", dead_air = dead_air + excluded.dead_air") : ("", "", "")
        return """
            INSERT OR IGNORE INTO report_number_keys (campaign, tracking_number, source, medium) VALUES (\(numberKey(r).joined(separator: ", ")));
            INSERT OR IGNORE INTO report_area_keys (area_code, region, place, country) VALUES (\(areaKey(r).joined(separator: ", ")));
            INSERT OR IGNORE INTO report_caller_ids (caller) SELECT \(r)caller WHERE \(r)caller IS NOT NULL;
            INSERT INTO report_number_days (day, number_key, calls, answered, missed, abandoned, talk_ms, duration_ms\(deadColumn))
                VALUES (\(d), \(number), 1, \(o) = \(Outcome.answered.sqlLiteral), \(o) = \(Outcome.missed.sqlLiteral),
                        \(o) = \(Outcome.abandoned.sqlLiteral), \(r)talk_ms, \(r)duration_ms\(deadValue))
                ON CONFLICT (day, number_key) DO UPDATE SET calls = calls + 1, answered = answered + excluded.answered,
                    missed = missed + excluded.missed, abandoned = abandoned + excluded.abandoned,
                    talk_ms = talk_ms + excluded.talk_ms, duration_ms = duration_ms + excluded.duration_ms\(deadSum);
            INSERT INTO report_area_days (day, campaign, area_key, calls, answered\(deadColumn))
                VALUES (\(d), ifnull(\(r)campaign, ''), \(area), 1, \(o) = \(Outcome.answered.sqlLiteral)\(deadValue))
                ON CONFLICT (day, campaign, area_key) DO UPDATE SET calls = calls + 1, answered = answered + excluded.answered\(deadSum);
            """ + (form == .packs ? CallerPacks.append(row, removal: false, keys: (number, area, caller)) : """
            INSERT INTO report_caller_days (day, caller_id, number_key, area_key, calls)
                SELECT \(d), \(caller), \(number), \(area), 1 WHERE \(r)caller IS NOT NULL
                ON CONFLICT (day, caller_id, number_key, area_key) DO UPDATE SET calls = calls + 1;
            """)
    }

    /// Statements removing row `R` (OLD). A caller's number leaves `report_caller_ids` with their
    /// last call (erasure must leave it nowhere; one seek in `calls_caller`); the number and area
    /// keys stay (they name no one, and a later call may use them again).
    private static func remove(_ row: String, _ form: CallerForm, deadAir: Bool) -> String {
        let r = row + "."
        let d = day("\(r)started_at")
        let (number, area, caller) = keyLookups(r)
        let o = "\(r)outcome"
        let deadSum = deadAir ? ", dead_air = dead_air - \(HoldMatch.Dialect.sqlite.deadAir(r))" : ""
        let numberRow = "day = \(d) AND number_key = \(number)"
        let areaRow = "day = \(d) AND campaign = ifnull(\(r)campaign, '') AND area_key = \(area)"
        let callerRow = "day = \(d) AND caller_id = \(caller) AND number_key = \(number) AND area_key = \(area)"
        return """
            UPDATE report_number_days SET calls = calls - 1, answered = answered - (\(o) = \(Outcome.answered.sqlLiteral)),
                missed = missed - (\(o) = \(Outcome.missed.sqlLiteral)), abandoned = abandoned - (\(o) = \(Outcome.abandoned.sqlLiteral)),
                talk_ms = talk_ms - \(r)talk_ms, duration_ms = duration_ms - \(r)duration_ms\(deadSum) WHERE \(numberRow);
            DELETE FROM report_number_days WHERE \(numberRow) AND calls = 0;
            UPDATE report_area_days SET calls = calls - 1, answered = answered - (\(o) = \(Outcome.answered.sqlLiteral))\(deadSum) WHERE \(areaRow);
            DELETE FROM report_area_days WHERE \(areaRow) AND calls = 0;
            """ + (form == .packs ? CallerPacks.append(row, removal: true, keys: (number, area, caller)) + CallerPacks.dropEmptyQuarter(row) : """
            UPDATE report_caller_days SET calls = calls - 1 WHERE \(r)caller IS NOT NULL AND \(callerRow);
            DELETE FROM report_caller_days WHERE \(r)caller IS NOT NULL AND \(callerRow) AND calls = 0;
            """) + """
            DELETE FROM report_caller_ids WHERE caller = \(r)caller AND NOT EXISTS (SELECT 1 FROM calls WHERE caller = \(r)caller);
            """
    }

    /// The columns whose change moves a number in these tables (`deadAir`: and in their dead air).
    static func watchedColumns(deadAir: Bool) -> String {
        "started_at, outcome, campaign, caller, talk_ms, duration_ms, tracking_number, source, medium, "
            + "caller_area_code, caller_region, caller_place, caller_country" + (deadAir ? ", longest_silence_ms, silences" : "")
    }

    static func createTriggers(_ form: CallerForm, deadAir: Bool = false) -> String {
        """
        CREATE TRIGGER report_dimension_calls_insert AFTER INSERT ON calls BEGIN
        \(add("NEW", form, deadAir: deadAir))
        END;
        CREATE TRIGGER report_dimension_calls_delete AFTER DELETE ON calls BEGIN
        \(remove("OLD", form, deadAir: deadAir))
        END;
        CREATE TRIGGER report_dimension_calls_update AFTER UPDATE OF \(watchedColumns(deadAir: deadAir)) ON calls BEGIN
        \(remove("OLD", form, deadAir: deadAir))
        \(add("NEW", form, deadAir: deadAir))
        END;
        """
    }

    /// `v18-dead-air-counts`: the triggers again (packs), adding each call's dead air to the day sums.
    static func recreateTriggers(_ db: Database) throws {
        for name in triggerNames { try db.execute(sql: "DROP TRIGGER \(name)") }
        try db.execute(sql: createTriggers(.packs, deadAir: true))
    }

    static let triggerNames = ["report_dimension_calls_insert", "report_dimension_calls_delete", "report_dimension_calls_update"]

    /// Fills the (empty) tables from `calls`: keys first (callers in number order), then one
    /// GROUP BY pass per table, joined to the keys after grouping.
    static func fill(_ db: Database) throws {
        let n = numberKey(""), a = areaKey(""), d = day("started_at")
        try db.execute(sql: """
            INSERT INTO report_caller_ids (caller) SELECT DISTINCT caller FROM calls WHERE caller IS NOT NULL ORDER BY caller;
            INSERT INTO report_number_keys (campaign, tracking_number, source, medium)
                SELECT DISTINCT \(n.joined(separator: ", ")) FROM calls;
            INSERT INTO report_area_keys (area_code, region, place, country)
                SELECT DISTINCT \(a.joined(separator: ", ")) FROM calls;
            INSERT INTO report_number_days (day, number_key, calls, answered, missed, abandoned, talk_ms, duration_ms)
                SELECT g.d, k.id, g.n, g.an, g.mi, g.ab, g.t, g.du FROM (
                    SELECT \(d) AS d, \(n[0]) AS c, \(n[1]) AS tn, \(n[2]) AS s, \(n[3]) AS m, count(*) AS n,
                        sum(outcome = \(Outcome.answered.sqlLiteral)) AS an, sum(outcome = \(Outcome.missed.sqlLiteral)) AS mi,
                        sum(outcome = \(Outcome.abandoned.sqlLiteral)) AS ab, sum(talk_ms) AS t, sum(duration_ms) AS du
                    FROM calls GROUP BY 1, 2, 3, 4, 5) g
                JOIN report_number_keys k ON k.campaign = g.c AND k.tracking_number = g.tn AND k.source = g.s AND k.medium = g.m;
            INSERT INTO report_area_days (day, campaign, area_key, calls, answered)
                SELECT g.d, g.c, k.id, g.n, g.an FROM (
                    SELECT \(d) AS d, ifnull(campaign, '') AS c, \(a[0]) AS ac, \(a[1]) AS r, \(a[2]) AS p, \(a[3]) AS co,
                        count(*) AS n, sum(outcome = \(Outcome.answered.sqlLiteral)) AS an
                    FROM calls GROUP BY 1, 2, 3, 4, 5, 6) g
                JOIN report_area_keys k ON k.area_code = g.ac AND k.region = g.r AND k.place = g.p AND k.country = g.co;
            """)
        guard try db.tableExists("report_caller_days") else { return }
        try db.execute(sql: """
            INSERT INTO report_caller_days (day, caller_id, number_key, area_key, calls)
                SELECT g.d, i.id, nk.id, ak.id, g.n FROM (
                    SELECT \(d) AS d, caller, \(n[0]) AS c, \(n[1]) AS tn, \(n[2]) AS s, \(n[3]) AS m,
                        \(a[0]) AS ac, \(a[1]) AS r, \(a[2]) AS p, \(a[3]) AS co, count(*) AS n
                    FROM calls WHERE caller IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) g
                JOIN report_caller_ids i ON i.caller = g.caller
                JOIN report_number_keys nk ON nk.campaign = g.c AND nk.tracking_number = g.tn AND nk.source = g.s AND nk.medium = g.m
                JOIN report_area_keys ak ON ak.area_code = g.ac AND ak.region = g.r AND ak.place = g.p AND ak.country = g.co;
            """)
    }

    /// The `v15-report-dimensions` migration: tables, triggers, backfill.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTables)
        try db.execute(sql: createTriggers(.days))
        try fill(db)
    }

    /// The `v16-caller-packs` migration: callers as ``CallerPacks`` entries instead of
    /// `report_caller_days` rows (the triggers rewritten, the table dropped, the packs filled).
    static func migrateToPacks(_ db: Database) throws {
        for name in triggerNames { try db.execute(sql: "DROP TRIGGER \(name)") }
        try db.execute(sql: "DROP TABLE report_caller_days")
        try CallerPacks.migrate(db)
        try db.execute(sql: createTriggers(.packs))
    }

    /// Empties and refills the tables (keys renumbered densely, then the packs that use them),
    /// inside the caller's transaction.
    static func refill(_ db: Database) throws {
        guard try db.tableExists("report_number_days") else { return }
        for table in dayTables + keyTables where try db.tableExists(table) { try db.execute(sql: "DELETE FROM \(table)") }
        try fill(db)
        try CallerPacks.refill(db)
    }

    /// Whether this index has the tables (an index opened read-only before migrating has not).
    public static func available(_ index: CallIndex) throws -> Bool {
        try index.pool.read { db in try db.tableExists("report_number_days") }
    }

    /// The stored and the recomputed rows of UTC day `day` (for `verify`), one line per table that differs.
    static func differences(_ db: Database, day: Int) throws -> [String] {
        guard try db.tableExists("report_number_days") else { return [] }
        func rows(_ sql: String, _ args: StatementArguments) throws -> Set<String> {
            Set(try Row.fetchAll(db, sql: sql, arguments: args).map { row in row.databaseValues.map { "\($0)" }.joined(separator: "|") })
        }
        let from = Timestamp.format(Date(timeIntervalSince1970: Double(day * 86400)))
        let to = Timestamp.format(Date(timeIntervalSince1970: Double(day * 86400 + 86400)))
        let n = numberKey(""), a = areaKey(""), range = "started_at >= ? AND started_at < ?"
        let outcomes = "sum(outcome = \(Outcome.answered.sqlLiteral)), sum(outcome = \(Outcome.missed.sqlLiteral)), sum(outcome = \(Outcome.abandoned.sqlLiteral))"
        // v18: the dead air compared too.
        let (sd, cd) = try DeadAirCounts.available(db) ? (", d.dead_air", ", sum(\(HoldMatch.Dialect.sqlite.deadAir("calls.")))") : ("", "")
        let checks: [(String, String, String)] = [
            ("report_number_days",
             "SELECT k.campaign, k.tracking_number, k.source, k.medium, d.calls, d.answered, d.missed, d.abandoned, d.talk_ms, d.duration_ms\(sd) FROM report_number_days d JOIN report_number_keys k ON k.id = d.number_key WHERE d.day = ?",
             "SELECT \(n.joined(separator: ", ")), count(*), \(outcomes), sum(talk_ms), sum(duration_ms)\(cd) FROM calls WHERE \(range) GROUP BY 1, 2, 3, 4"),
            ("report_area_days",
             "SELECT d.campaign, k.area_code, k.region, k.place, k.country, d.calls, d.answered\(sd) FROM report_area_days d JOIN report_area_keys k ON k.id = d.area_key WHERE d.day = ?",
             "SELECT ifnull(campaign, ''), \(a.joined(separator: ", ")), count(*), sum(outcome = \(Outcome.answered.sqlLiteral))\(cd) FROM calls WHERE \(range) GROUP BY 1, 2, 3, 4, 5"),
            ("report_caller_days",
             """
             SELECT i.caller, n.campaign, n.tracking_number, n.source, n.medium, a.area_code, a.region, a.place, a.country, d.calls
             FROM report_caller_days d JOIN report_caller_ids i ON i.id = d.caller_id JOIN report_number_keys n ON n.id = d.number_key
             JOIN report_area_keys a ON a.id = d.area_key WHERE d.day = ?
             """,
             "SELECT caller, \(n.joined(separator: ", ")), \(a.joined(separator: ", ")), count(*) FROM calls WHERE \(range) AND caller IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"),
        ]
        var problems: [String] = []
        for (table, stored, scanned) in checks where try db.tableExists(table) {
            let s = try rows(stored, [day]), c = try rows(scanned, [from, to])
            if s != c { problems.append("\(table): UTC day \(from.prefix(10)) differs from the calls (\(s.count) rows stored, \(c.count) computed)") }
        }
        return problems
    }
}
