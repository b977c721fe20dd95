import CallVaultCore
import Foundation
import GRDB

/// Calls per UTC quarter hour and caller area code: the area-code chart of `--format html` sums
/// these instead of reading every call of the period.
///
/// `report_area_quarters` has one row per quarter, area code and label (the caller's place, else
/// its region, else empty: what the chart prints beside the code) with at least one call; calls
/// without an area code (anonymous callers, numbers outside NANP) are not in it. Like
/// ``ReportAggregates`` it is kept by triggers on `calls` in the writer's transaction, filled by
/// the migration (`v13-report-aggregates-2`) and by `db rebuild-aggregates`, and sampled by `verify`.
public enum AreaAggregates {
    public static let table = "report_area_quarters"

    static let label = "ifnull(caller_place, ifnull(caller_region, ''))"

    static let createTable = """
        CREATE TABLE report_area_quarters (
            q INTEGER NOT NULL, area_code TEXT NOT NULL, label TEXT NOT NULL, calls INTEGER NOT NULL,
            PRIMARY KEY (q, area_code, label)) WITHOUT ROWID;
        """

    private static func add(_ r: String) -> String {
        """
        INSERT INTO report_area_quarters (q, area_code, label, calls)
            SELECT \(ReportAggregates.quarter("\(r).started_at")), \(r).caller_area_code,
                   ifnull(\(r).caller_place, ifnull(\(r).caller_region, '')), 1
            WHERE \(r).caller_area_code IS NOT NULL
            ON CONFLICT (q, area_code, label) DO UPDATE SET calls = calls + 1;
        """
    }

    private static func remove(_ r: String) -> String {
        let key = "q = \(ReportAggregates.quarter("\(r).started_at")) AND area_code = \(r).caller_area_code AND label = ifnull(\(r).caller_place, ifnull(\(r).caller_region, ''))"
        return """
            UPDATE report_area_quarters SET calls = calls - 1 WHERE \(key);
            DELETE FROM report_area_quarters WHERE \(key) AND calls = 0;
            """
    }

    static var createTriggers: String {
        """
        CREATE TRIGGER report_area_calls_insert AFTER INSERT ON calls BEGIN
        \(add("NEW"))
        END;
        CREATE TRIGGER report_area_calls_delete AFTER DELETE ON calls BEGIN
        \(remove("OLD"))
        END;
        CREATE TRIGGER report_area_calls_update AFTER UPDATE OF started_at, caller_area_code, caller_place, caller_region ON calls BEGIN
        \(remove("OLD"))
        \(add("NEW"))
        END;
        """
    }

    /// Fills the (empty) table from `calls` in one GROUP BY pass.
    static func fill(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO report_area_quarters (q, area_code, label, calls)
                SELECT \(ReportAggregates.quarter("started_at")) AS qq, caller_area_code, \(label) AS ll, count(*)
                FROM calls WHERE caller_area_code IS NOT NULL GROUP BY qq, caller_area_code, ll;
            """)
    }

    /// The `v13-report-aggregates-2` migration's part: table, triggers, backfill (history: never edited).
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTable)
        try db.execute(sql: createTriggers)
        try fill(db)
    }

    /// Whether this index has the table (an index opened read-only before migrating has not).
    public static func available(_ index: CallIndex) throws -> Bool {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) == 1
        }
    }

    /// The stored and the recomputed rows of one quarter, as comparable lines (for `verify`).
    static func difference(_ db: Database, quarter: Int, from: String, to: String) throws -> String? {
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) == 1 else { return nil }
        func rows(_ sql: String, _ args: StatementArguments) throws -> Set<String> {
            Set(try Row.fetchAll(db, sql: sql, arguments: args).map { row in row.databaseValues.map { "\($0)" }.joined(separator: "|") })
        }
        let stored = try rows("SELECT area_code, label, calls FROM report_area_quarters WHERE q = ?", [quarter])
        let scanned = try rows("""
            SELECT caller_area_code, \(label), count(*) FROM calls
            WHERE started_at >= ? AND started_at < ? AND caller_area_code IS NOT NULL GROUP BY 1, 2
            """, [from, to])
        return stored == scanned ? nil
            : "report_area_quarters: quarter starting \(from) differs from the calls (\(stored.count) rows stored, \(scanned.count) computed)"
    }
}
