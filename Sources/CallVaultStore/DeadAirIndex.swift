import CallVaultCore
import GRDB

/// The index `report dead-air` reads a period's candidates from: answered calls whose longest
/// silence is over 10 s (the default threshold), by start time.
///
/// It replaces v8's `calls_answered_silence` (every answered call, with its longest silence: 24 MB
/// of a 1M-call index, a sixth of what the aggregates added) with an entry only for the calls
/// that can be dead air at the default threshold or above: a few percent of the answered calls.
/// A report with `--threshold` under 10 s reads the period's answered calls instead.
public enum DeadAirIndex {
    public static let name = "calls_dead_air"
    /// Calls whose longest silence is at most this are not in the index.
    public static let floorMs = 10_000

    /// The `v13-report-aggregates-2` migration's statements (history: never edited).
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS calls_answered_silence;
            CREATE INDEX calls_dead_air ON calls(started_at)
                WHERE outcome = \(Outcome.answered.sqlLiteral) AND longest_silence_ms > 10000;
            """)
    }

    /// Whether this index has it (an index opened read-only before migrating has not).
    public static func available(_ index: CallIndex) throws -> Bool {
        try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name]) == 1
        }
    }
}
