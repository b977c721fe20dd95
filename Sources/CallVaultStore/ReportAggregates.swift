import CallVaultCore
import Foundation
import GRDB

/// Derived tables that let reports read per-bucket numbers instead of every call.
///
/// Kept up to date by SQLite triggers on `calls`, so every writer — ingest, a registry relink,
/// retention deleting records, a hand edit, the benchmark's direct inserts — moves them in the
/// same transaction as the change itself. `rebuild` recomputes them from `calls` alone.
///
/// Buckets are quarters of an hour in UTC (`q` = floor(epoch / 900)): every offset in use,
/// +05:30 and +05:45 included, starts its hours and days on a quarter boundary, so a local hour,
/// day or week is an exact sum of quarters. Empty campaign text (`''`) stands for no campaign.
///
/// - `report_quarters`: per quarter and outcome — calls, anonymous calls, talk and duration sums.
/// - `report_campaign_quarters`: the same per campaign (for `--campaign` and `--by campaign`).
/// - `report_callers` (v8 to v15): per quarter, caller and campaign — calls and answered calls;
///   since `v16-caller-packs` callers are ``CallerPacks`` entries (the same facts, packed).
/// - `report_first_calls`: each caller's first call (earliest `started_at`, then smallest `id`).
/// - Since `v18-dead-air-counts`, the quarter sums count the answered calls with dead air (``DeadAirCounts``).
public enum ReportAggregates {
    public static let tables = ["report_quarters", "report_campaign_quarters", "report_callers", "report_first_calls"]
    /// The tables of ``tables`` this index has (`report_callers` is gone since v16).
    public static func existingTables(_ db: Database) throws -> [String] { try tables.filter { try db.tableExists($0) } }

    /// floor(epoch / 900) of a `started_at` column, correct for negative epochs too.
    static func quarter(_ column: String) -> String {
        let e = "CAST(strftime('%s', \(column)) AS INTEGER)"
        return "((\(e) - (((\(e)) % 900 + 900) % 900)) / 900)"
    }

    static let createTables = """
        CREATE TABLE report_quarters (
            q INTEGER NOT NULL, outcome TEXT NOT NULL, calls INTEGER NOT NULL, anonymous INTEGER NOT NULL,
            talk_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL, PRIMARY KEY (q, outcome)) WITHOUT ROWID;
        CREATE TABLE report_campaign_quarters (
            campaign TEXT NOT NULL, q INTEGER NOT NULL, outcome TEXT NOT NULL, calls INTEGER NOT NULL, anonymous INTEGER NOT NULL,
            talk_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL, PRIMARY KEY (campaign, q, outcome)) WITHOUT ROWID;
        CREATE TABLE report_callers (
            q INTEGER NOT NULL, caller TEXT NOT NULL, campaign TEXT NOT NULL, calls INTEGER NOT NULL, answered INTEGER NOT NULL,
            PRIMARY KEY (q, caller, campaign)) WITHOUT ROWID;
        CREATE TABLE report_first_calls (
            caller TEXT NOT NULL PRIMARY KEY, id TEXT NOT NULL, started_at TEXT NOT NULL, campaign TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX report_first_calls_started ON report_first_calls(started_at);
        """

    /// `report missed`: "got through later" is one seek in this index per missed call.
    /// `report dead-air`: a month of answered calls is read from this index, not from the rows
    /// (v8's; `v13-report-aggregates-2` replaces it with the narrower ``DeadAirIndex``).
    static let createIndexes = """
        CREATE INDEX calls_caller_answered ON calls(caller, started_at) WHERE outcome = \(Outcome.answered.sqlLiteral);
        CREATE INDEX calls_answered_silence ON calls(started_at, longest_silence_ms) WHERE outcome = \(Outcome.answered.sqlLiteral);
        """

    /// Statements adding row `R` (NEW) to the aggregates; `callers`: to `report_callers` too
    /// (v8 to v15; `v16-caller-packs` keeps callers in ``CallerPacks`` instead).
    private static func add(_ r: String, _ form: Form) -> String {
        let callers = form == .v8
        let q = quarter("\(r).started_at")
        // v18: the call's dead air (0 or 1) in each sum's row too.
        let (deadColumn, deadValue, deadSum) = form == .v18
            ? (", dead_air", ", \(HoldMatch.Dialect.sqlite.deadAir(r + "."))", ", dead_air = dead_air + excluded.dead_air") : ("", "", "")
        return """
            INSERT INTO report_quarters (q, outcome, calls, anonymous, talk_ms, duration_ms\(deadColumn))
                VALUES (\(q), \(r).outcome, 1, \(r).caller IS NULL, \(r).talk_ms, \(r).duration_ms\(deadValue))
                ON CONFLICT (q, outcome) DO UPDATE SET calls = calls + 1, anonymous = anonymous + excluded.anonymous,
                    talk_ms = talk_ms + excluded.talk_ms, duration_ms = duration_ms + excluded.duration_ms\(deadSum);
            INSERT INTO report_campaign_quarters (campaign, q, outcome, calls, anonymous, talk_ms, duration_ms\(deadColumn))
                VALUES (ifnull(\(r).campaign, ''), \(q), \(r).outcome, 1, \(r).caller IS NULL, \(r).talk_ms, \(r).duration_ms\(deadValue))
                ON CONFLICT (campaign, q, outcome) DO UPDATE SET calls = calls + 1, anonymous = anonymous + excluded.anonymous,
                    talk_ms = talk_ms + excluded.talk_ms, duration_ms = duration_ms + excluded.duration_ms\(deadSum);
            """ + (!callers ? "" : """
            INSERT INTO report_callers (q, caller, campaign, calls, answered)
                SELECT \(q), \(r).caller, ifnull(\(r).campaign, ''), 1, \(r).outcome = \(Outcome.answered.sqlLiteral) WHERE \(r).caller IS NOT NULL
                ON CONFLICT (q, caller, campaign) DO UPDATE SET calls = calls + 1, answered = answered + excluded.answered;
            """) + """
            INSERT INTO report_first_calls (\(firstCallColumns(form)))
                SELECT \(firstCallValues(form, r + ".")) WHERE \(r).caller IS NOT NULL
                ON CONFLICT (caller) DO UPDATE SET id = excluded.id, started_at = excluded.started_at, campaign = excluded.campaign\(
                    form != .v8 ? ", tracking_number = excluded.tracking_number, source = excluded.source, medium = excluded.medium" : "")
                WHERE excluded.started_at < started_at OR (excluded.started_at = started_at AND excluded.id < id);
            """
    }

    /// Statements removing row `R` (OLD) from the aggregates; the caller's first call is looked up
    /// again (one seek in `calls_caller`) only when it was this row.
    private static func remove(_ r: String, _ form: Form) -> String {
        let callers = form == .v8
        let q = quarter("\(r).started_at")
        let deadSum = form == .v18 ? ", dead_air = dead_air - \(HoldMatch.Dialect.sqlite.deadAir(r + "."))" : ""
        return """
            UPDATE report_quarters SET calls = calls - 1, anonymous = anonymous - (\(r).caller IS NULL),
                talk_ms = talk_ms - \(r).talk_ms, duration_ms = duration_ms - \(r).duration_ms\(deadSum)
                WHERE q = \(q) AND outcome = \(r).outcome;
            DELETE FROM report_quarters WHERE q = \(q) AND outcome = \(r).outcome AND calls = 0;
            UPDATE report_campaign_quarters SET calls = calls - 1, anonymous = anonymous - (\(r).caller IS NULL),
                talk_ms = talk_ms - \(r).talk_ms, duration_ms = duration_ms - \(r).duration_ms\(deadSum)
                WHERE campaign = ifnull(\(r).campaign, '') AND q = \(q) AND outcome = \(r).outcome;
            DELETE FROM report_campaign_quarters WHERE campaign = ifnull(\(r).campaign, '') AND q = \(q) AND outcome = \(r).outcome AND calls = 0;
            """ + (!callers ? "" : """
            UPDATE report_callers SET calls = calls - 1, answered = answered - (\(r).outcome = \(Outcome.answered.sqlLiteral))
                WHERE q = \(q) AND caller = \(r).caller AND campaign = ifnull(\(r).campaign, '');
            DELETE FROM report_callers WHERE q = \(q) AND caller = \(r).caller AND campaign = ifnull(\(r).campaign, '') AND calls = 0;
            """) + """
            DELETE FROM report_first_calls WHERE caller = \(r).caller AND id = \(r).id;
            INSERT INTO report_first_calls (\(firstCallColumns(form)))
                SELECT \(firstCallValues(form, "")) FROM calls
                WHERE caller = \(r).caller AND NOT EXISTS (SELECT 1 FROM report_first_calls f WHERE f.caller = \(r).caller)
                ORDER BY started_at, id LIMIT 1;
            """
    }

    /// What the triggers keep: v8 (to v15) `report_callers`, and each caller's first call with its
    /// campaign; v16 no `report_callers` (``CallerPacks`` has the callers) and the first call with
    /// its tracking number, source and medium too, so `summary --by source|tracking-number` finds
    /// them without reading the calls.
    /// v18 as v16, and each call's dead air counted too (``DeadAirCounts``).
    enum Form { case v8, v16, v18 }

    static func firstCallColumns(_ form: Form) -> String {
        "caller, id, started_at, campaign" + (form != .v8 ? ", tracking_number, source, medium" : "")
    }

    /// The values of ``firstCallColumns(_:)`` from the columns of `r` (`"NEW."`, or `""` in a SELECT).
    static func firstCallValues(_ form: Form, _ r: String) -> String {
        "\(r)caller, \(r)id, \(r)started_at, ifnull(\(r)campaign, '')" + (form != .v8 ? ", \(r)tracking_number, \(r)source, \(r)medium" : "")
    }

    /// The columns whose change moves a number in the aggregates.
    static func watchedColumns(_ form: Form) -> String {
        "started_at, outcome, campaign, caller, talk_ms, duration_ms" + (form != .v8 ? ", tracking_number, source, medium" : "")
            + (form == .v18 ? ", longest_silence_ms, silences" : "")
    }

    static let triggerNames = ["report_calls_insert", "report_calls_delete", "report_calls_update"]

    /// `v18-dead-air-counts`: the triggers again, adding each call's dead air to the sums.
    static func recreateTriggers(_ db: Database) throws {
        for name in triggerNames { try db.execute(sql: "DROP TRIGGER \(name)") }
        try db.execute(sql: createTriggers(.v18))
    }

    static func createTriggers(_ form: Form) -> String {
        """
        CREATE TRIGGER report_calls_insert AFTER INSERT ON calls BEGIN
        \(add("NEW", form))
        END;
        CREATE TRIGGER report_calls_delete AFTER DELETE ON calls BEGIN
        \(remove("OLD", form))
        END;
        CREATE TRIGGER report_calls_update AFTER UPDATE OF \(watchedColumns(form)) ON calls BEGIN
        \(remove("OLD", form))
        \(add("NEW", form))
        END;
        """
    }

    /// `v16-caller-packs`: `report_callers` dropped (callers are counted from ``CallerPacks``), the
    /// first calls given their tracking number, source and medium (and an index by time that
    /// covers what the reports read of them: a period's first calls without a seek each), the
    /// triggers rewritten for both.
    static func migrateToV16(_ db: Database) throws {
        for name in triggerNames { try db.execute(sql: "DROP TRIGGER \(name)") }
        try db.execute(sql: "DROP TABLE report_callers")
        try db.execute(sql: """
            ALTER TABLE report_first_calls ADD COLUMN tracking_number TEXT;
            ALTER TABLE report_first_calls ADD COLUMN source TEXT;
            ALTER TABLE report_first_calls ADD COLUMN medium TEXT;
            UPDATE report_first_calls SET (tracking_number, source, medium) =
                (SELECT tracking_number, source, medium FROM calls WHERE calls.id = report_first_calls.id);
            DROP INDEX report_first_calls_started;
            CREATE INDEX report_first_calls_started ON report_first_calls(started_at, campaign, tracking_number, source, medium);
            """)
        try db.execute(sql: createTriggers(.v16))
    }

    /// The form of this index's tables (v16 once its first calls have a tracking number, v18 once
    /// the quarters count dead air).
    static func form(_ db: Database) throws -> Form {
        if try DeadAirCounts.available(db) { return .v18 }
        return try db.columns(in: "report_first_calls").contains { $0.name == "tracking_number" } ? .v16 : .v8
    }

    /// Fills the (empty) tables from `calls` in a few GROUP BY passes.
    static func fill(_ db: Database) throws {
        let q = quarter("started_at")
        let form = try form(db)
        try db.execute(sql: """
            INSERT INTO report_quarters (q, outcome, calls, anonymous, talk_ms, duration_ms)
                SELECT \(q) AS qq, outcome, count(*), sum(caller IS NULL), sum(talk_ms), sum(duration_ms) FROM calls GROUP BY qq, outcome;
            INSERT INTO report_campaign_quarters (campaign, q, outcome, calls, anonymous, talk_ms, duration_ms)
                SELECT ifnull(campaign, '') AS cc, \(q) AS qq, outcome, count(*), sum(caller IS NULL), sum(talk_ms), sum(duration_ms)
                FROM calls GROUP BY cc, qq, outcome;
            INSERT INTO report_first_calls (\(firstCallColumns(form)))
                SELECT \(firstCallValues(form, "")) FROM (
                    SELECT caller, id, started_at, campaign, tracking_number, source, medium, row_number() OVER (PARTITION BY caller ORDER BY started_at, id) AS n
                    FROM calls WHERE caller IS NOT NULL) WHERE n = 1;
            """)
        guard try db.tableExists("report_callers") else { return }
        try db.execute(sql: """
            INSERT INTO report_callers (q, caller, campaign, calls, answered)
                SELECT \(q) AS qq, caller, ifnull(campaign, '') AS cc, count(*), sum(outcome = \(Outcome.answered.sqlLiteral))
                FROM calls WHERE caller IS NOT NULL GROUP BY qq, caller, cc;
            """)
    }

    /// The `v8-report-aggregates` migration: tables, indexes, triggers, then the backfill.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTables)
        try db.execute(sql: createIndexes)
        try db.execute(sql: createTriggers(.v8))
        try fill(db)
    }

    /// Whether this index has the aggregates (an index opened read-only before migrating has not).
    public static func available(_ index: CallIndex) throws -> Bool {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'report_first_calls'") == 1
        }
    }

    /// `callvault db rebuild-aggregates`: empties and refills every derived table from `calls`
    /// alone (these, ``AreaAggregates``, ``DimensionAggregates`` and ``CallerLastCalls``), in one transaction (a crash leaves the previous tables as they were).
    /// Returns the number of calls the tables now describe.
    @discardableResult
    public static func rebuild(_ index: CallIndex) throws -> Int {
        try index.pool.write { db in
            for table in tables where try db.tableExists(table) { try db.execute(sql: "DELETE FROM \(table)") }
            try fill(db)
            if try db.tableExists(AreaAggregates.table) {
                try db.execute(sql: "DELETE FROM \(AreaAggregates.table)")
                try AreaAggregates.fill(db)
            }
            try DimensionAggregates.refill(db)
            if try DeadAirCounts.available(db) { try DeadAirCounts.fill(db) }
            try CallerLastCalls.refill(db)
            return try Int.fetchOne(db, sql: "SELECT ifnull(sum(calls), 0) FROM report_quarters") ?? 0
        }
    }

    /// Up to `limit` callers of `[from, to)`, at random: the callers whose per-caller rows verify
    /// looks up again (a few seeks each, whatever their history).
    static func sampleCallers(_ db: Database, from: String, to: String, limit: Int = 20) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT caller FROM (SELECT DISTINCT caller FROM calls WHERE started_at >= ? AND started_at < ? AND caller IS NOT NULL)
            ORDER BY random() LIMIT ?
            """, arguments: [from, to, limit])
    }

    /// Compares the aggregates of `sample` random quarters (and of some of their callers' first,
    /// last answered and last missed calls) with the same numbers computed from `calls`. Returns one line per difference.
    public static func differences(_ index: CallIndex, sample: Int = 200) throws -> [String] {
        try index.pool.read { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'report_quarters'") == 1 else { return [] }
            var problems: [String] = []
            let q = quarter("started_at")
            // Random quarters that have aggregates, and the quarters of random calls (by rowid:
            // no scan of the calls), so a call missing from the aggregates is found too.
            var quarters = Set(try Int.fetchAll(db, sql: "SELECT q FROM report_quarters ORDER BY random() LIMIT ?", arguments: [sample / 2]))
            let maxRowid = try Int.fetchOne(db, sql: "SELECT max(rowid) FROM calls") ?? 0
            if maxRowid > 0 {
                for _ in 0..<(sample - sample / 2) {
                    if let qq = try Int.fetchOne(db, sql: "SELECT \(q) FROM calls WHERE rowid >= ? ORDER BY rowid LIMIT 1",
                                                 arguments: [Int.random(in: 1...maxRowid)]) { quarters.insert(qq) }
                }
            }
            func rows(_ sql: String, _ args: StatementArguments) throws -> Set<String> {
                Set(try Row.fetchAll(db, sql: sql, arguments: args).map { row in
                    row.databaseValues.map { $0.isNull ? "NULL" : "\($0)" }.joined(separator: "|")
                })
            }
            // v18: each sum's dead air compared too.
            let (storedDead, scannedDead) = try DeadAirCounts.available(db)
                ? (", dead_air", ", sum(\(HoldMatch.Dialect.sqlite.deadAir("calls.")))") : ("", "")
            for quarter in quarters {
                let from = Timestamp.format(Date(timeIntervalSince1970: Double(quarter * 900)))
                let to = Timestamp.format(Date(timeIntervalSince1970: Double(quarter * 900 + 900)))
                let range = "started_at >= ? AND started_at < ?"
                let checks: [(String, String, String)] = [
                    ("report_quarters",
                     "SELECT outcome, calls, anonymous, talk_ms, duration_ms\(storedDead) FROM report_quarters WHERE q = ?",
                     "SELECT outcome, count(*), sum(caller IS NULL), sum(talk_ms), sum(duration_ms)\(scannedDead) FROM calls WHERE \(range) GROUP BY outcome"),
                    ("report_campaign_quarters",
                     "SELECT campaign, outcome, calls, anonymous, talk_ms, duration_ms\(storedDead) FROM report_campaign_quarters WHERE q = ?",
                     "SELECT ifnull(campaign, ''), outcome, count(*), sum(caller IS NULL), sum(talk_ms), sum(duration_ms)\(scannedDead) FROM calls WHERE \(range) GROUP BY 1, 2"),
                    ("report_callers",
                     "SELECT caller, campaign, calls, answered FROM report_callers WHERE q = ?",
                     "SELECT caller, ifnull(campaign, ''), count(*), sum(outcome = \(Outcome.answered.sqlLiteral)) FROM calls WHERE \(range) AND caller IS NOT NULL GROUP BY 1, 2"),
                ]
                for (table, stored, scanned) in checks where try db.tableExists(table) {
                    let a = try rows(stored, [quarter]), b = try rows(scanned, [from, to])
                    if a != b { problems.append("\(table): quarter starting \(from) differs from the calls (\(a.count) rows stored, \(b.count) computed)") }
                }
                // The first calls of some callers of that quarter (a seek each in calls_caller: a
                // caller's whole history is 100,000 calls for the heaviest at 10M).
                let form = try form(db)
                let callers = try sampleCallers(db, from: from, to: to)
                for caller in callers {
                    let stored = try rows("SELECT \(firstCallColumns(form)) FROM report_first_calls WHERE caller = ?", [caller])
                    let scanned = try rows("SELECT \(firstCallValues(form, "")) FROM calls WHERE caller = ? ORDER BY started_at, id LIMIT 1", [caller])
                    if stored != scanned {
                        problems.append("report_first_calls: callers of the quarter starting \(from) differ from the calls")
                        break
                    }
                }
                if let problem = try CallerLastCalls.difference(db, callers: callers, quarterStart: from) { problems.append(problem) }
                if let problem = try AreaAggregates.difference(db, quarter: quarter, from: from, to: to) { problems.append(problem) }
                if let problem = try CallerPacks.difference(db, quarter: quarter, from: from, to: to) { problems.append(problem) }
            }
            // The per-day tables, for the days of a few of these quarters (a day holds 96 of them).
            let days = Set(quarters.map { $0 >= 0 ? $0 / 96 : -((-$0 + 95) / 96) })
            for day in days.shuffled().prefix(max(1, sample / 40)) {
                problems += try DimensionAggregates.differences(db, day: day)
            }
            return problems
        }
    }
}
