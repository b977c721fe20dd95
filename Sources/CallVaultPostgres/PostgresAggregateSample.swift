import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// `verify`'s check of PostgreSQL's report aggregates (``PostgresReportTables``): a random
/// sample of quarters — half from the aggregates, half the quarters of random calls, so a call
/// missing from them is found too — and the UTC days of some of them, each table's rows compared
/// with the same numbers computed from the calls of that quarter or day (a range of
/// `calls_started_at` each) — the packs entry by entry — and the first calls of some of their
/// callers. One line per table and bucket that differs, as SQLite's
/// `ReportAggregates.differences` words it.
struct PostgresAggregateSample {
    let index: PostgresIndex
    var sample = 200

    /// A quarter's or a day's start as `started_at` text (`YYYY-MM-DDTHH:MM:SSZ`), in SQL.
    private static func start(_ seconds: String) -> String {
        "to_char(to_timestamp(\(seconds)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    /// Each check: the table, its rows of the sampled buckets (bucket first), and the same
    /// computed from the calls (`s.b` the bucket, `s.lo`/`s.hi` its range).
    private static let quarterChecks: [(String, String, String, Int)] = [
        ("report_quarters",
         "SELECT q, outcome, calls, anonymous, talk_ms, duration_ms, dead_air FROM report_quarters WHERE q = ANY($1)",
         "SELECT s.b, c.outcome, count(*), sum(CASE WHEN c.caller IS NULL THEN 1 ELSE 0 END), sum(c.talk_ms), sum(c.duration_ms), sum(\(dead))", 2),
        ("report_campaign_quarters",
         "SELECT q, campaign, outcome, calls, anonymous, talk_ms, duration_ms, dead_air FROM report_campaign_quarters WHERE q = ANY($1)",
         "SELECT s.b, coalesce(c.campaign, ''), c.outcome, count(*), sum(CASE WHEN c.caller IS NULL THEN 1 ELSE 0 END), sum(c.talk_ms), sum(c.duration_ms), sum(\(dead))", 3),
        ("report_area_quarters",
         "SELECT q, area_code, label, calls FROM report_area_quarters WHERE q = ANY($1)",
         "SELECT s.b, c.caller_area_code, coalesce(c.caller_place, coalesce(c.caller_region, '')), count(*)", 3),
        // Each quarter's entries, removals cancelled (a tombstone is its entry with the flag + 2,
        // the word's top bit), against the entry of each call with a caller, its keys looked up.
        ("report_caller_packs", """
         SELECT q, x FROM (\(entries)) e WHERE get_byte(x, 0) < 128
         EXCEPT ALL SELECT q, set_byte(x, 0, get_byte(x, 0) - 128) FROM (\(entries)) e WHERE get_byte(x, 0) >= 128
         """,
         """
         SELECT s.b, report_pack_entry(CASE WHEN c.outcome = 'answered' THEN 1 ELSE 0 END, report_caller_id(c.caller, false),
                                       report_number_key(c, false), report_area_key(c, false))
         """, 0),
    ]

    /// A call's dead air (pg-v12), 0 or 1.
    private static let dead = HoldMatch.Dialect.postgres.deadAir("c.")

    /// The 8-byte entries of the sampled quarters' packs, as (q, x).
    private static let entries = """
        SELECT p.q, substr(p.entries, 8 * i + 1, 8) AS x FROM report_caller_packs p, generate_series(0, length(p.entries) / 8 - 1) i
        WHERE p.q = ANY($1)
        """

    private static let dayChecks: [(String, String, String, Int)] = [
        ("report_number_days",
         """
         SELECT d.day, k.campaign, k.tracking_number, k.source, k.medium, d.calls, d.answered, d.missed, d.abandoned, d.talk_ms, d.duration_ms,
                d.dead_air
         FROM report_number_days d JOIN report_number_keys k ON k.id = d.number_key WHERE d.day = ANY($1)
         """,
         """
         SELECT s.b, coalesce(c.campaign, ''), c.tracking_number, report_enc(c.source), report_enc(c.medium), count(*),
                sum(CASE WHEN c.outcome = 'answered' THEN 1 ELSE 0 END), sum(CASE WHEN c.outcome = 'missed' THEN 1 ELSE 0 END),
                sum(CASE WHEN c.outcome = 'abandoned' THEN 1 ELSE 0 END), sum(c.talk_ms), sum(c.duration_ms), sum(\(dead))
         """, 5),
        ("report_area_days",
         """
         SELECT d.day, d.campaign, k.area_code, k.region, k.place, k.country, d.calls, d.answered, d.dead_air
         FROM report_area_days d JOIN report_area_keys k ON k.id = d.area_key WHERE d.day = ANY($1)
         """,
         """
         SELECT s.b, coalesce(c.campaign, ''), CASE WHEN c.caller IS NULL THEN '' ELSE report_enc(c.caller_area_code) END,
                CASE WHEN c.caller IS NULL THEN '=(anonymous)' ELSE report_enc(c.caller_region) END,
                CASE WHEN c.caller IS NULL THEN '' ELSE report_enc(c.caller_place) END,
                CASE WHEN c.caller IS NULL THEN '' ELSE report_enc(c.caller_country) END,
                count(*), sum(CASE WHEN c.outcome = 'answered' THEN 1 ELSE 0 END), sum(\(dead))
         """, 6),
    ]

    /// `GROUP BY 1, …, n`: the bucket and the check's other leading columns.
    private static func grouping(_ columns: Int) -> String {
        columns == 0 ? "" : " GROUP BY " + (1...columns).map(String.init).joined(separator: ", ")
    }

    func differences() async throws -> [String] {
        guard try await index.query("looking for the report aggregates", "SELECT to_regclass('report_quarters') IS NOT NULL")
            .first?.decode(Bool.self) == true else { return [] }
        let half = Int64(max(sample / 2, 1))
        // Random calls from a sample of the table's pages (about 20 times the calls needed, all
        // of a small table), not a sort of every call.
        let estimate = try await index.query("estimating the calls", "SELECT reltuples::float8 FROM pg_class WHERE oid = 'calls'::regclass")
            .first?.decode(Double.self) ?? -1
        let percent = estimate <= 0 ? 100 : min(100, max(0.001, 2000 * Double(half) / estimate))
        let quarters = try await index.query("sampling quarters", PostgresQuery(unsafeSQL: """
            SELECT q FROM (SELECT q FROM report_quarters ORDER BY random() LIMIT \(half)) a
            UNION SELECT report_quarter_of(started_at) FROM (
                SELECT started_at FROM calls TABLESAMPLE SYSTEM (\(String(format: "%.6f", percent))) ORDER BY random() LIMIT \(half)) b
            """)).map { try $0.decode(Int64.self) }
        guard !quarters.isEmpty else { return [] }
        let days = Array(Set(quarters.map { $0 >= 0 ? $0 / 96 : -((-$0 + 95) / 96) }).shuffled().prefix(max(1, sample / 40)))
        var problems: [String] = []
        for (buckets, seconds, checks) in [(quarters, 900, Self.quarterChecks), (days, 86400, Self.dayChecks)] {
            for (table, stored, computed, groups) in checks {
                let where_ = table == "report_area_quarters" ? " WHERE c.caller_area_code IS NOT NULL"
                    : table == "report_caller_packs" ? " WHERE c.caller IS NOT NULL" : ""
                let scan = """
                    \(computed) FROM (SELECT b, \(Self.start("b * \(seconds)")) AS lo, \(Self.start("(b + 1) * \(seconds)")) AS hi
                                     FROM unnest($1::bigint[]) AS u(b)) s
                    JOIN calls c ON c.started_at >= s.lo AND c.started_at < s.hi\(where_)\(Self.grouping(groups))
                    """
                let sql = "SELECT DISTINCT b FROM ((\(stored)) EXCEPT ALL (\(scan)) UNION ALL ((\(scan)) EXCEPT ALL (\(stored)))) AS x(b) ORDER BY b"
                var binds = PostgresBindings()
                binds.append(buckets)
                let differing = try await index.query("comparing \(table) with the calls", PostgresQuery(unsafeSQL: sql, binds: binds))
                    .map { try $0.decode(Int64.self) }
                for b in differing {
                    let from = Timestamp.format(Date(timeIntervalSince1970: Double(b) * Double(seconds)))
                    problems.append("\(table): \(seconds == 900 ? "quarter" : "day") starting \(from) differs from the calls")
                }
            }
        }
        problems += try await firstCallDifferences(quarters)
        problems += try await lastCallDifferences(quarters)
        return problems
    }

    /// Up to 20 callers of each sampled quarter.
    private static let sampledCallers = """
        SELECT DISTINCT w.caller FROM unnest($1::bigint[]) AS u(b), LATERAL (
            SELECT c.caller FROM calls c WHERE c.started_at >= \(start("u.b * 900")) AND c.started_at < \(start("(u.b + 1) * 900"))
                AND c.caller IS NOT NULL LIMIT 20) w
        """

    /// `report_caller_last` (``PostgresCallerLastTables``) of the sampled callers against each
    /// one's last answered and last missed call (a seek each, backwards in `calls_caller`).
    private func lastCallDifferences(_ quarters: [Int64]) async throws -> [String] {
        guard try await index.query("looking for report_caller_last", "SELECT to_regclass('report_caller_last') IS NOT NULL")
            .first?.decode(Bool.self) == true else { return [] }
        let answered = Outcome.answered.sqlLiteral
        return try await callerDifferences("report_caller_last", quarters, stored: """
            SELECT caller_number, last_answered_at, last_missed_at FROM report_caller_last WHERE caller_number IN (\(Self.sampledCallers))
            """, scan: """
            SELECT w.caller,
                   (SELECT c.started_at FROM calls c WHERE c.caller = w.caller AND c.outcome = \(answered) ORDER BY c.started_at DESC LIMIT 1),
                   (SELECT c.started_at FROM calls c WHERE c.caller = w.caller AND c.outcome <> \(answered) ORDER BY c.started_at DESC LIMIT 1)
            FROM (\(Self.sampledCallers)) w
            """)
    }

    /// The first calls of up to 20 callers of each sampled quarter, against each caller's
    /// earliest call (one seek each in `calls_caller`, however long their history).
    private func firstCallDifferences(_ quarters: [Int64]) async throws -> [String] {
        try await callerDifferences("report_first_calls", quarters, stored: """
            SELECT caller, id, started_at, campaign, tracking_number, source, medium FROM report_first_calls WHERE caller IN (\(Self.sampledCallers))
            """, scan: """
            SELECT f.caller, f.id, f.started_at, coalesce(f.campaign, ''), f.tracking_number, f.source, f.medium FROM (\(Self.sampledCallers)) w,
                LATERAL (SELECT * FROM calls c WHERE c.caller = w.caller ORDER BY c.started_at, c.id LIMIT 1) f
            """)
    }

    /// How many callers' rows of a per-caller `table` (`stored`, the caller first) differ from the
    /// same computed from the calls (`scan`), for the sampled quarters' callers (`$1`): one line
    /// when any does.
    private func callerDifferences(_ table: String, _ quarters: [Int64], stored: String, scan: String) async throws -> [String] {
        var binds = PostgresBindings()
        binds.append(quarters)
        let differing = try await index.query("comparing \(table) with the calls", PostgresQuery(unsafeSQL: """
            SELECT count(DISTINCT x.caller) FROM ((\(stored)) EXCEPT ALL (\(scan)) UNION ALL ((\(scan)) EXCEPT ALL (\(stored)))) AS x(caller)
            """, binds: binds)).first?.decode(Int64.self) ?? 0
        return differing == 0 ? [] : ["\(table): \(differing) callers of the sampled quarters differ from the calls"]
    }
}
