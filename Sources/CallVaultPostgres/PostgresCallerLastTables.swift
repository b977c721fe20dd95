import CallVaultCore

/// `pg-v8-caller-last-calls`: SQLite's `report_caller_last` (Store's `CallerLastCalls`) on
/// PostgreSQL — per caller, when they last had a call answered and when they last had one missed
/// or abandoned, kept by a row trigger on `calls` in the writer's transaction.
///
/// `report missed --unreturned` reads its candidates there (``PostgresReportSource``): a missed
/// call is unreturned exactly when it is not before the caller's last answered call, so the
/// callers whose last missed call is in the period or later, and whose last answered call (if
/// any) is not after it and before the period's end, are the only ones to read — one range of
/// `calls_caller` each — instead of a seek per missed call of the period.
///
/// PostgreSQL runs a statement's row triggers after all its rows changed, so each removal looks
/// the caller's last calls up again in the statement's final rows: whatever order the rows of one
/// statement come in, the row ends as those rows say (a removal recomputes when it removed the
/// stored time; an addition only raises it). A caller with no call left loses their row.
///
/// Writers at once (READ COMMITTED): two additions meet in the upsert, which raises the committed
/// row. A removal locks the caller's row before looking at their calls, so an addition of the same
/// caller in another transaction is either committed and seen (the removal waited for its lock),
/// or waits for the removal and raises (or inserts again) the row it left — without the lock, a
/// removal could delete the row of a caller whose new call it could not see yet. Its trigger
/// runs before the other report triggers (PostgreSQL fires them by name), so this row is the first
/// lock two writers of one caller meet: it orders them for the other tables too.
///
/// History: these statements are the migration's and are never edited; a change is a new
/// migration.
enum PostgresCallerLastTables {
    static let table = "report_caller_last"

    private static let answered = Outcome.answered.sqlLiteral

    static let createStatements: [String] = [
        #"""
        CREATE TABLE report_caller_last (
            caller_number TEXT COLLATE "C" PRIMARY KEY, last_answered_at TEXT COLLATE "C", last_missed_at TEXT COLLATE "C")
        """#,
        "CREATE INDEX report_caller_last_missed ON report_caller_last (last_missed_at, last_answered_at)",
        """
        CREATE FUNCTION report_caller_last_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP = 'DELETE' OR TG_OP = 'UPDATE') AND OLD.caller IS NOT NULL THEN
                -- The row locked first: a writer adding a call of this caller holds it until it
                -- commits, and the statements below (each its own snapshot) then see that call.
                PERFORM 1 FROM report_caller_last t WHERE t.caller_number = OLD.caller FOR UPDATE;
                IF NOT EXISTS (SELECT 1 FROM calls c WHERE c.caller = OLD.caller) THEN
                    DELETE FROM report_caller_last t WHERE t.caller_number = OLD.caller;
                ELSIF OLD.outcome = \(answered) THEN
                    UPDATE report_caller_last t SET last_answered_at = (
                        SELECT c.started_at FROM calls c WHERE c.caller = OLD.caller AND c.outcome = \(answered) ORDER BY c.started_at DESC LIMIT 1)
                    WHERE t.caller_number = OLD.caller AND t.last_answered_at = OLD.started_at;
                ELSE
                    UPDATE report_caller_last t SET last_missed_at = (
                        SELECT c.started_at FROM calls c WHERE c.caller = OLD.caller AND c.outcome <> \(answered) ORDER BY c.started_at DESC LIMIT 1)
                    WHERE t.caller_number = OLD.caller AND t.last_missed_at = OLD.started_at;
                END IF;
            END IF;
            IF (TG_OP = 'INSERT' OR TG_OP = 'UPDATE') AND NEW.caller IS NOT NULL THEN
                INSERT INTO report_caller_last AS t (caller_number, last_answered_at, last_missed_at)
                    VALUES (NEW.caller, CASE WHEN NEW.outcome = \(answered) THEN NEW.started_at END,
                            CASE WHEN NEW.outcome <> \(answered) THEN NEW.started_at END)
                    ON CONFLICT (caller_number) DO UPDATE SET
                        last_answered_at = CASE WHEN excluded.last_answered_at > coalesce(t.last_answered_at, '') THEN excluded.last_answered_at
                                                ELSE t.last_answered_at END,
                        last_missed_at = CASE WHEN excluded.last_missed_at > coalesce(t.last_missed_at, '') THEN excluded.last_missed_at
                                              ELSE t.last_missed_at END;
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER report_caller_last_insert_delete AFTER INSERT OR DELETE ON calls FOR EACH ROW
            EXECUTE FUNCTION report_caller_last_changed()
        """,
        """
        CREATE TRIGGER report_caller_last_update AFTER UPDATE OF caller, outcome, started_at ON calls FOR EACH ROW
            WHEN ((OLD.caller, OLD.outcome, OLD.started_at) IS DISTINCT FROM (NEW.caller, NEW.outcome, NEW.started_at))
            EXECUTE FUNCTION report_caller_last_changed()
        """,
    ] + fillStatements

    /// Fill the (empty) table from `calls` in one pass.
    static let fillStatements: [String] = [
        """
        INSERT INTO report_caller_last (caller_number, last_answered_at, last_missed_at)
            SELECT caller, max(CASE WHEN outcome = \(answered) THEN started_at END), max(CASE WHEN outcome <> \(answered) THEN started_at END)
            FROM calls WHERE caller IS NOT NULL GROUP BY caller
        """,
    ]
}
