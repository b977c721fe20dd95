import CallVaultCore
import Foundation
import GRDB

/// Per caller, when they last had a call answered and when they last had one missed or
/// abandoned (`report_caller_last`, a row per caller), kept by triggers on `calls`.
///
/// Why: `report missed --unreturned` lists the missed calls after which the caller never got
/// through. Checking each missed call of a month is a seek per call (250,000 at 10M calls: 2.6
/// s). A missed call is unreturned exactly when it is not before the caller's last answered call,
/// so the callers whose last missed call is in the period or after it, and whose last answered
/// call (if any) is not after it and before the period's end, are the only candidates (an index
/// of both times picks them); their unreturned calls are one range each of `calls_caller`.
///
/// A deleted or changed call looks up the caller's last answered or last missed call again only
/// when it was that call (one seek backwards in `calls_caller`), and drops the row when the
/// caller has no call left (an erased number stays in no derived table).
public enum CallerLastCalls {
    public static let table = "report_caller_last"

    static let createTable = """
        CREATE TABLE report_caller_last (caller_number TEXT PRIMARY KEY NOT NULL, last_answered_at TEXT, last_missed_at TEXT) WITHOUT ROWID;
        CREATE INDEX report_caller_last_missed ON report_caller_last(last_missed_at, last_answered_at);
        """

    private static let answered = Outcome.answered.sqlLiteral

    /// Statements adding row `r` (NEW): its time raises the caller's last answered or last missed.
    private static func add(_ r: String) -> String {
        """
        INSERT INTO report_caller_last (caller_number, last_answered_at, last_missed_at)
            SELECT \(r).caller, CASE WHEN \(r).outcome = \(answered) THEN \(r).started_at END,
                   CASE WHEN \(r).outcome <> \(answered) THEN \(r).started_at END
            WHERE \(r).caller IS NOT NULL
            ON CONFLICT (caller_number) DO UPDATE SET
                last_answered_at = CASE WHEN excluded.last_answered_at > ifnull(last_answered_at, '') THEN excluded.last_answered_at ELSE last_answered_at END,
                last_missed_at = CASE WHEN excluded.last_missed_at > ifnull(last_missed_at, '') THEN excluded.last_missed_at ELSE last_missed_at END;
        """
    }

    /// Statements removing row `r` (OLD), after it left `calls`.
    private static func remove(_ r: String) -> String {
        """
        DELETE FROM report_caller_last WHERE caller_number = \(r).caller AND NOT EXISTS (SELECT 1 FROM calls WHERE caller = \(r).caller);
        UPDATE report_caller_last SET last_answered_at = (SELECT started_at FROM calls WHERE caller = \(r).caller AND outcome = \(answered)
                                                         ORDER BY started_at DESC LIMIT 1)
            WHERE caller_number = \(r).caller AND \(r).outcome = \(answered) AND last_answered_at = \(r).started_at;
        UPDATE report_caller_last SET last_missed_at = (SELECT started_at FROM calls WHERE caller = \(r).caller AND outcome <> \(answered)
                                                       ORDER BY started_at DESC LIMIT 1)
            WHERE caller_number = \(r).caller AND \(r).outcome <> \(answered) AND last_missed_at = \(r).started_at;
        """
    }

    static let createTriggers = """
        CREATE TRIGGER report_caller_last_insert AFTER INSERT ON calls BEGIN
        \(add("NEW"))
        END;
        CREATE TRIGGER report_caller_last_delete AFTER DELETE ON calls BEGIN
        \(remove("OLD"))
        END;
        CREATE TRIGGER report_caller_last_update AFTER UPDATE OF caller, outcome, started_at ON calls BEGIN
        \(remove("OLD"))
        \(add("NEW"))
        END;
        """

    /// Fills the (empty) table from `calls` in one pass.
    static func fill(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO report_caller_last (caller_number, last_answered_at, last_missed_at)
                SELECT caller, max(CASE WHEN outcome = \(answered) THEN started_at END), max(CASE WHEN outcome <> \(answered) THEN started_at END)
                FROM calls WHERE caller IS NOT NULL GROUP BY caller
            """)
    }

    /// The `v17-caller-last-calls` migration: the table, its triggers, filled.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTable)
        try db.execute(sql: createTriggers)
        try fill(db)
    }

    /// Empties and refills the table (`db rebuild-aggregates`).
    static func refill(_ db: Database) throws {
        guard try db.tableExists(table) else { return }
        try db.execute(sql: "DELETE FROM \(table)")
        try fill(db)
    }

    /// Whether the index has the table (one opened read-only before migrating has not).
    public static func available(_ db: Database) throws -> Bool { try db.tableExists(table) }

    /// The rows of `callers` as stored and as looked up in `calls` (a seek each: the last answered
    /// call in `calls_caller_answered`, the last missed one backwards in `calls_caller`); nil when
    /// they agree (for `verify`, the callers of the quarter starting at `quarterStart`).
    static func difference(_ db: Database, callers: [String], quarterStart: String) throws -> String? {
        guard try db.tableExists(table) else { return nil }
        for caller in callers {
            let stored = try Row.fetchOne(db, sql: "SELECT last_answered_at, last_missed_at FROM \(table) WHERE caller_number = ?", arguments: [caller])
            let lastAnswered = try String.fetchOne(db, sql: """
                SELECT started_at FROM calls WHERE caller = ? AND outcome = \(answered) ORDER BY started_at DESC LIMIT 1
                """, arguments: [caller])
            let lastMissed = try String.fetchOne(db, sql: """
                SELECT started_at FROM calls WHERE caller = ? AND outcome <> \(answered) ORDER BY started_at DESC LIMIT 1
                """, arguments: [caller])
            guard let stored, stored[0] as String? == lastAnswered, stored[1] as String? == lastMissed else {
                return "\(table): callers of the quarter starting \(quarterStart) differ from the calls"
            }
        }
        return nil
    }
}
