import CallVaultCore
import CallVaultStore

/// The trigger's functions on `calls` (``PostgresReportTables``): pg-v6's text as it was
/// (`deadAir` false), and pg-v12's replacement that adds each call's dead air to the sums.
extension PostgresReportTables {
    private static let answered = Outcome.answered.sqlLiteral, missed = Outcome.missed.sqlLiteral, abandoned = Outcome.abandoned.sqlLiteral

    /// The variables both functions declare for call `r`: its quarter and day, whether it is
    /// anonymous and answered (pg-v12: and has dead air), its keys (`makingKeys`: made when new),
    /// the caller's id.
    private static func declarations(makingKeys: Bool, deadAir: Bool) -> String {
        """
            vq BIGINT := report_quarter_of(r.started_at);
            vd BIGINT := report_day_of(r.started_at);
            anon BIGINT := CASE WHEN r.caller IS NULL THEN 1 ELSE 0 END;
            ans BIGINT := CASE WHEN r.outcome = \(answered) THEN 1 ELSE 0 END;\(deadAir ? "\n    dead BIGINT := \(HoldMatch.Dialect.postgres.deadAir("r."));" : "")
            nk BIGINT := report_number_key(r, \(makingKeys));
            ak BIGINT := report_area_key(r, \(makingKeys));
            ck BIGINT;
        """
    }

    /// A call added: each sum grows (rows made when new), the caller's first call and pack entry.
    static func addCallFunction(deadAir: Bool) -> String {
        // pg-v12: the call's dead air (0 or 1) in each sum's row too.
        let (column, value, sum) = deadAir ? (", dead_air", ", dead", ", dead_air = t.dead_air + excluded.dead_air") : ("", "", "")
        return """
        CREATE \(deadAir ? "OR REPLACE " : "")FUNCTION report_add_call(r calls) RETURNS VOID LANGUAGE plpgsql AS $$
        DECLARE
        \(declarations(makingKeys: true, deadAir: deadAir))
        BEGIN
            INSERT INTO report_quarters AS t (q, outcome, calls, anonymous, talk_ms, duration_ms\(column)) VALUES (vq, r.outcome, 1, anon, r.talk_ms, r.duration_ms\(value))
                ON CONFLICT (q, outcome) DO UPDATE SET calls = t.calls + 1, anonymous = t.anonymous + excluded.anonymous,
                    talk_ms = t.talk_ms + excluded.talk_ms, duration_ms = t.duration_ms + excluded.duration_ms\(sum);
            INSERT INTO report_campaign_quarters AS t (campaign, q, outcome, calls, anonymous, talk_ms, duration_ms\(column))
                VALUES (coalesce(r.campaign, ''), vq, r.outcome, 1, anon, r.talk_ms, r.duration_ms\(value))
                ON CONFLICT (campaign, q, outcome) DO UPDATE SET calls = t.calls + 1, anonymous = t.anonymous + excluded.anonymous,
                    talk_ms = t.talk_ms + excluded.talk_ms, duration_ms = t.duration_ms + excluded.duration_ms\(sum);
            INSERT INTO report_number_days AS t (day, number_key, calls, answered, missed, abandoned, talk_ms, duration_ms\(column))
                VALUES (vd, nk, 1, ans, CASE WHEN r.outcome = \(missed) THEN 1 ELSE 0 END, CASE WHEN r.outcome = \(abandoned) THEN 1 ELSE 0 END,
                        r.talk_ms, r.duration_ms\(value))
                ON CONFLICT (day, number_key) DO UPDATE SET calls = t.calls + 1, answered = t.answered + excluded.answered,
                    missed = t.missed + excluded.missed, abandoned = t.abandoned + excluded.abandoned,
                    talk_ms = t.talk_ms + excluded.talk_ms, duration_ms = t.duration_ms + excluded.duration_ms\(sum);
            INSERT INTO report_area_days AS t (day, campaign, area_key, calls, answered\(column)) VALUES (vd, coalesce(r.campaign, ''), ak, 1, ans\(value))
                ON CONFLICT (day, campaign, area_key) DO UPDATE SET calls = t.calls + 1, answered = t.answered + excluded.answered\(sum);
            IF r.caller_area_code IS NOT NULL THEN
                INSERT INTO report_area_quarters AS t (q, area_code, label, calls)
                    VALUES (vq, r.caller_area_code, coalesce(r.caller_place, coalesce(r.caller_region, '')), 1)
                    ON CONFLICT (q, area_code, label) DO UPDATE SET calls = t.calls + 1;
            END IF;
            IF r.caller IS NOT NULL THEN
                INSERT INTO report_first_calls AS t (caller, id, started_at, campaign, tracking_number, source, medium)
                    VALUES (r.caller, r.id, r.started_at, coalesce(r.campaign, ''), r.tracking_number, r.source, r.medium)
                    ON CONFLICT (caller) DO UPDATE SET id = excluded.id, started_at = excluded.started_at, campaign = excluded.campaign,
                        tracking_number = excluded.tracking_number, source = excluded.source, medium = excluded.medium
                    WHERE excluded.started_at < t.started_at OR (excluded.started_at = t.started_at AND excluded.id < t.id);
                ck := report_caller_id(r.caller, true);
                INSERT INTO report_caller_packs AS t (q, n, entries) VALUES (vq, 1, report_pack_entry(CAST(ans AS INT), ck, nk, ak))
                    ON CONFLICT (q) DO UPDATE SET n = t.n + 1, entries = t.entries || excluded.entries;
            END IF;
        END $$
        """
    }

    /// A removed call: each sum less its numbers (rows at 0 calls dropped); the caller's first
    /// call looked up again only when it was this one; a tombstone entry in its quarter's pack.
    static func removeCallFunction(deadAir: Bool) -> String {
        let less = deadAir ? ", dead_air = t.dead_air - dead" : ""
        return """
        CREATE \(deadAir ? "OR REPLACE " : "")FUNCTION report_remove_call(r calls) RETURNS VOID LANGUAGE plpgsql AS $$
        DECLARE
        \(declarations(makingKeys: false, deadAir: deadAir))
            left_calls BIGINT;
        BEGIN
            UPDATE report_quarters t SET calls = t.calls - 1, anonymous = t.anonymous - anon, talk_ms = t.talk_ms - r.talk_ms,
                duration_ms = t.duration_ms - r.duration_ms\(less) WHERE t.q = vq AND t.outcome = r.outcome;
            DELETE FROM report_quarters t WHERE t.q = vq AND t.outcome = r.outcome AND t.calls = 0;
            UPDATE report_campaign_quarters t SET calls = t.calls - 1, anonymous = t.anonymous - anon, talk_ms = t.talk_ms - r.talk_ms,
                duration_ms = t.duration_ms - r.duration_ms\(less)
                WHERE t.campaign = coalesce(r.campaign, '') AND t.q = vq AND t.outcome = r.outcome;
            DELETE FROM report_campaign_quarters t
                WHERE t.campaign = coalesce(r.campaign, '') AND t.q = vq AND t.outcome = r.outcome AND t.calls = 0;
            UPDATE report_number_days t SET calls = t.calls - 1, answered = t.answered - ans,
                missed = t.missed - CASE WHEN r.outcome = \(missed) THEN 1 ELSE 0 END,
                abandoned = t.abandoned - CASE WHEN r.outcome = \(abandoned) THEN 1 ELSE 0 END,
                talk_ms = t.talk_ms - r.talk_ms, duration_ms = t.duration_ms - r.duration_ms\(less) WHERE t.day = vd AND t.number_key = nk;
            DELETE FROM report_number_days t WHERE t.day = vd AND t.number_key = nk AND t.calls = 0;
            UPDATE report_area_days t SET calls = t.calls - 1, answered = t.answered - ans\(less)
                WHERE t.day = vd AND t.campaign = coalesce(r.campaign, '') AND t.area_key = ak;
            DELETE FROM report_area_days t WHERE t.day = vd AND t.campaign = coalesce(r.campaign, '') AND t.area_key = ak AND t.calls = 0;
            IF r.caller_area_code IS NOT NULL THEN
                UPDATE report_area_quarters t SET calls = t.calls - 1 WHERE t.q = vq AND t.area_code = r.caller_area_code
                    AND t.label = coalesce(r.caller_place, coalesce(r.caller_region, ''));
                DELETE FROM report_area_quarters t WHERE t.q = vq AND t.area_code = r.caller_area_code
                    AND t.label = coalesce(r.caller_place, coalesce(r.caller_region, '')) AND t.calls = 0;
            END IF;
            IF r.caller IS NOT NULL THEN
                DELETE FROM report_first_calls t WHERE t.caller = r.caller AND t.id = r.id;
                IF FOUND THEN
                    INSERT INTO report_first_calls (caller, id, started_at, campaign, tracking_number, source, medium)
                        SELECT c.caller, c.id, c.started_at, coalesce(c.campaign, ''), c.tracking_number, c.source, c.medium
                        FROM calls c WHERE c.caller = r.caller ORDER BY c.started_at, c.id LIMIT 1;
                END IF;
                ck := report_caller_id(r.caller, false);
                -- Keys missing (tables out of step with the calls): no tombstone; verify finds the quarter.
                IF ck IS NOT NULL AND nk IS NOT NULL AND ak IS NOT NULL THEN
                    UPDATE report_caller_packs t SET n = t.n - 1, entries = t.entries || report_pack_entry(CAST(ans AS INT) + 2, ck, nk, ak)
                        WHERE t.q = vq RETURNING t.n INTO left_calls;
                    IF left_calls = 0 THEN DELETE FROM report_caller_packs t WHERE t.q = vq AND t.n = 0; END IF;
                END IF;
            END IF;
        END $$
        """
    }

    /// The trigger running ``addCallFunction(deadAir:)`` and ``removeCallFunction(deadAir:)`` for a
    /// change of one of the `watched` columns (not for an update that leaves them as they were).
    /// `replacing`: `CREATE OR REPLACE` (PostgreSQL 14 and later), which locks `calls` against
    /// writers only, where dropping the trigger first would lock out its readers too.
    static func updateTrigger(_ watched: String, replacing: Bool = false) -> String {
        let columns = watched.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return """
        CREATE \(replacing ? "OR REPLACE " : "")TRIGGER report_calls_update AFTER UPDATE OF \(watched) ON calls FOR EACH ROW
            WHEN ((\(columns.map { "OLD.\($0)" }.joined(separator: ", ")))
                  IS DISTINCT FROM (\(columns.map { "NEW.\($0)" }.joined(separator: ", "))))
            EXECUTE FUNCTION report_calls_changed()
        """
    }

    /// `pg-v12-dead-air-counts` (as SQLite's `v18`, Store's `DeadAirCounts`): a `dead_air` column
    /// in the quarter and day sums — answered calls with an inner silence over 10 s, what `report
    /// dead-air` lists at its default threshold — kept by the trigger's functions (replaced), the
    /// update trigger watching the silences too, the campaign quarters' covering key including
    /// it, and the column filled from the candidates of `calls_dead_air`.
    ///
    /// The calls are locked against writers first (`SHARE ROW EXCLUSIVE`, what replacing the
    /// trigger needs anyway): a writer running the old functions meanwhile would add a call
    /// without its dead air after the fill. Reads of the calls go on (the trigger is replaced, not
    /// dropped: `DROP TRIGGER` would lock out every read of `calls` for the fill's length); reads of
    /// the four tables wait for the commit (`ADD COLUMN` locks each), and a report that had read
    /// one of them before the migration reached it may meet it in a deadlock, which PostgreSQL
    /// ends by failing one side (the report, or the migrating command, which the next command
    /// retries): `db upgrade` at a quiet time avoids both.
    static let deadAirStatements: [String] = [
        "LOCK TABLE calls IN SHARE ROW EXCLUSIVE MODE",
    ] + ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"].map {
        "ALTER TABLE \($0) ADD COLUMN dead_air BIGINT NOT NULL DEFAULT 0"
    } + [
        """
        ALTER TABLE report_campaign_quarters DROP CONSTRAINT report_campaign_quarters_pkey,
            ADD PRIMARY KEY (campaign, q, outcome) INCLUDE (calls, anonymous, talk_ms, duration_ms, dead_air)
        """,
        addCallFunction(deadAir: true),
        removeCallFunction(deadAir: true),
        updateTrigger(watched + ", longest_silence_ms, silences", replacing: true),
    ] + deadAirFillStatements

    /// Sets `dead_air` of the rows the fill made (0 until then) from the calls with dead air: the
    /// answered calls whose longest silence is over 10 s (`calls_dead_air`), their silences read.
    static let deadAirFillStatements: [String] = {
        let candidates = "FROM calls c WHERE c.outcome = \(answered) AND c.longest_silence_ms > \(DeadAirCounts.thresholdMs) "
            + "AND \(HoldMatch.Dialect.postgres.deadAir("c.")) = 1"
        return [
            """
            UPDATE report_quarters t SET dead_air = g.n FROM (SELECT report_quarter_of(c.started_at) AS q, count(*) AS n \(candidates) GROUP BY 1) g
                WHERE t.q = g.q AND t.outcome = \(answered)
            """,
            """
            UPDATE report_campaign_quarters t SET dead_air = g.n FROM (
                SELECT coalesce(c.campaign, '') AS campaign, report_quarter_of(c.started_at) AS q, count(*) AS n \(candidates) GROUP BY 1, 2) g
                WHERE t.campaign = g.campaign AND t.q = g.q AND t.outcome = \(answered)
            """,
            """
            UPDATE report_number_days t SET dead_air = g.n FROM (
                SELECT report_day_of(c.started_at) AS day, report_number_key(c, false) AS k, count(*) AS n \(candidates) GROUP BY 1, 2) g
                WHERE t.day = g.day AND t.number_key = g.k
            """,
            """
            UPDATE report_area_days t SET dead_air = g.n FROM (
                SELECT report_day_of(c.started_at) AS day, coalesce(c.campaign, '') AS campaign, report_area_key(c, false) AS k, count(*) AS n
                \(candidates) GROUP BY 1, 2, 3) g
                WHERE t.day = g.day AND t.campaign = g.campaign AND t.area_key = g.k
            """,
        ]
    }()
}
