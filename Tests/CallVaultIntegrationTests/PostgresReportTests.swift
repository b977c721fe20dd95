import CallVaultTestSupport
import Foundation
import Testing

/// `callvault report` on a PostgreSQL index (issue 20): one real-speech spool run into a SQLite and
/// a PostgreSQL index, the same registry imported into each, and every report subcommand's output
/// compared byte for byte. SQLite answers from its report aggregates, PostgreSQL by scanning the
/// calls: the same numbers either way.
@Suite("report on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresReportTests {
    /// Fourteen calls over six days, some near midnight UTC (another day in Kathmandu or New York):
    /// (stem, fixture, tracking number, started_at, caller; "" for an anonymous caller).
    static let calls: [(String, String, String, String, String)] = [
        ("r00", "speech.wav", "+14155550100", "2026-11-20T09:15:00Z", "+12125550110"),
        ("r01", "missed.wav", "+14155550100", "2026-11-20T18:40:00Z", "+12125550111"),
        ("r02", "speech-ulaw.wav", "+14155550199", "2026-11-20T23:30:00Z", "+13105550112"),
        ("r03", "abandoned.wav", "+14155550199", "2026-11-21T02:05:00Z", "+12125550110"),
        ("r04", "speech.flac", "+14155550100", "2026-11-21T14:00:00Z", "+12125550110"),
        ("r05", "missed.wav", "+14155550123", "2026-11-22T04:10:00Z", ""),
        ("r06", "speech-16k.wav", "+14155550123", "2026-11-22T13:25:00Z", "+447700900123"),
        ("r07", "missed.wav", "+14155550199", "2026-11-23T00:20:00Z", "+13105550112"),
        ("r08", "speech.gsm", "+14155550100", "2026-11-23T11:00:00Z", "+13105550112"),
        ("r09", "abandoned.wav", "+14155550100", "2026-11-24T19:55:00Z", "+16175550113"),
        ("r10", "speech.wav", "+14155550199", "2026-11-24T21:30:00Z", "+12125550111"),
        ("r11", "missed.wav", "+14155550199", "2026-11-25T03:00:00Z", "+16175550114"),
        ("r12", "speech-ulaw.wav", "+14155550100", "2026-11-25T16:45:00Z", "+12125550187"),
        ("r13", "speech.wav", "+14155550100", "2026-11-25T16:45:00Z", "+12125550187"),
    ]

    @Test("every report subcommand (summary by each grouping, missed and --unreturned with --limit, callers, area-codes, hours, compare by campaign and keyword, dead-air, callbacks) prints the same on SQLite and PostgreSQL, as json, csv, table and html, with --tz, --campaign and --since/--until")
    func sameReportsOnBothBackends() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let sqliteFixture = try SpoolFixture(name: "report-sqlite")
        defer { sqliteFixture.remove() }
        let postgresFixture = try SpoolFixture(name: "report-postgres")
        defer { postgresFixture.remove() }
        let backends = [try PostgresHoldRetentionTests.Backend(sqliteFixture, database: "index.sqlite"),
                        try PostgresHoldRetentionTests.Backend(postgresFixture, database: db.url)]
        let registry = sqliteFixture.root.appendingPathComponent("registry.csv").path
        try """
            tracking_number,campaign,source,medium,valid_from,valid_to,pool
            +14155550100,Spring,google,cpc,2026-01-01,,
            +14155550199,Radio-KFOG,kfog,radio,2026-01-01,,
            """.write(toFile: registry, atomically: true, encoding: .utf8)
        for b in backends {
            let imported = try b.cli(["numbers", "import", registry])
            try #require(imported.status == 0, "\(imported.stderr)")
            for (stem, fixture, number, time, caller) in Self.calls {
                try b.f.add(stem: stem, fixture: fixture,
                            sidecar: SpoolFixture.sidecar(number, at: time, callID: stem, extra: caller.isEmpty ? [:] : ["caller": caller]))
            }
            let run = try b.cli(["run", "--once", "--settle-seconds", "0"])
            try #require(run.status == 0, "\(run.stderr)")
        }
        // Web attribution (keyword, utm fields) as the web import would set it, the same text on both.
        let attributed = [("r04", #"{"method":"pool-session","utm_source":"google","utm_medium":"cpc","keyword":"emergency plumber"}"#),
                          ("r08", #"{"method":"pool-session","utm_source":"bing","utm_medium":"cpc","keyword":"boiler repair"}"#),
                          ("r12", #"{"method":"pool-session","utm_source":"google","utm_medium":"cpc","keyword":"emergency plumber"}"#)]
        for (stem, json) in attributed {
            _ = try sqliteFixture.sql("UPDATE calls SET attribution = '\(json)' WHERE call_id = '\(stem)'")
            _ = try db.rows("UPDATE calls SET attribution = '\(json)' WHERE call_id = '\(stem)'")
        }

        /// The command's stdout on both backends (and its stderr, which must be the same too), the
        /// HTML's generation time masked.
        @discardableResult
        func same(_ command: [String]) throws -> String {
            let results = try backends.map { b in
                let r = try b.cli(command)
                let out = try r.stdout.replacing(Regex(#"generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#), with: "generated TIME")
                return (r.status, out, r.stderr)
            }
            #expect(results.map(\.0) == [0, 0], "\(command): \(results.map(\.2))")
            #expect(!results[0].1.isEmpty && results[0].1 == results[1].1,
                    "\(command) stdout:\n--- SQLite\n\(results[0].1)\n--- PostgreSQL\n\(results[1].1)")
            #expect(results[0].2 == results[1].2, "\(command) stderr:\n--- SQLite\n\(results[0].2)\n--- PostgreSQL\n\(results[1].2)")
            return results[1].1
        }

        let groupings = ["hour", "day", "week", "campaign", "source", "tracking-number", "utm_source", "utm_medium", "utm_campaign",
                         "keyword", "landing_page", "attribution_method"]
        for by in groupings {
            try same(["report", "summary", "--by", by, "--format", "json"])
            try same(["report", "summary", "--by", by, "--format", "json", "--tz", "Asia/Kathmandu"])
        }
        let kathmandu = try Support.jsonObject(try same(["report", "summary", "--by", "day", "--format", "json", "--tz", "Asia/Kathmandu"]))
        let rows = try Support.field(kathmandu, "rows", as: [[String: Any]].self)
        // In Kathmandu (UTC+05:45) the calls of the 24th in UTC fall on the 25th: no row for the 24th.
        #expect(rows.compactMap { $0["bucket"] as? String } == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-25", "TOTAL"],
                "\(rows)")
        #expect(rows.last?["calls"] as? Int == Self.calls.count)
        try same(["report", "summary", "--by", "hour", "--format", "csv", "--tz", "America/New_York", "--since", "2026-11-21", "--until", "2026-11-24"])
        try same(["report", "summary", "--by", "week", "--tz", "America/New_York"])
        let spring = try same(["report", "summary", "--by", "day", "--campaign", "Spring", "--since", "2026-11-21", "--format", "json"])
        #expect(try Support.field(try Support.jsonObject(spring), "rows", as: [[String: Any]].self).last?["calls"] as? Int == 5,
                "Spring's calls from the 21st: r04, r08, r09, r12, r13")
        try same(["report", "summary", "--by", "campaign", "--campaign", "Spring", "--campaign", "Radio-KFOG", "--format", "csv"])
        try same(["report", "summary", "--by", "day", "--format", "html"])

        for extra in [[], ["--unreturned"], ["--limit", "2"], ["--unreturned", "--limit", "1"], ["--campaign", "Radio-KFOG"],
                      ["--since", "2026-11-21", "--until", "2026-11-23", "--tz", "America/New_York"]] {
            try same(["report", "missed", "--format", "json"] + extra)
        }
        try same(["report", "missed", "--unreturned", "--format", "csv"])
        let unreturned = try Support.jsonObject(try same(["report", "missed", "--unreturned", "--format", "json"]))
        #expect(try Support.field(unreturned, "rows", as: [[String: Any]].self).compactMap { $0["caller"] as? String }
                == ["+16175550113", "+16175550114"],
                "r01's caller got through later (r10), r03's (r04), r07's (r08); r05 is anonymous: r09 and r11 are left")
        try same(["report", "missed"])

        for extra in [[], ["--top", "2"], ["--campaign", "Spring"], ["--tz", "Asia/Kathmandu", "--since", "2026-11-22"]] {
            try same(["report", "callers", "--format", "json"] + extra)
        }
        try same(["report", "callers", "--format", "csv"])
        try same(["report", "area-codes", "--format", "json"])
        try same(["report", "area-codes", "--format", "csv", "--campaign", "Radio-KFOG"])
        try same(["report", "area-codes", "--format", "html"])
        for tz in ["UTC", "Asia/Kathmandu", "America/New_York"] { try same(["report", "hours", "--format", "json", "--tz", tz]) }
        try same(["report", "hours"])
        try same(["report", "compare", "--campaign", "Spring", "--before", "2026-11-20..2026-11-22", "--after", "2026-11-23..2026-11-25",
                  "--format", "json"])
        let keyword = try same(["report", "compare", "--keyword", "emergency plumber", "--before", "2026-11-20..2026-11-22",
                                "--after", "2026-11-23..2026-11-25", "--format", "json", "--tz", "Asia/Kathmandu"])
        let keywordCalls = try Support.field(try Support.jsonObject(keyword), "rows", as: [[String: Any]].self).first { $0["metric"] as? String == "calls" }
        #expect(keywordCalls?["before"] as? Double == 1 && keywordCalls?["after"] as? Double == 1, "r04 before, r12 after: \(String(describing: keywordCalls))")
        let deadAir = try Support.jsonObject(try same(["report", "dead-air", "--threshold", "3", "--format", "json"]))
        #expect(try Support.field(deadAir, "rows", as: [[String: Any]].self).count >= 3, "speech.wav's 5 s inner silence: r00, r10, r13")
        try same(["report", "dead-air", "--format", "csv"])
        try same(["report", "dead-air", "--threshold", "3", "--campaign", "Spring", "--since", "2026-11-21"])
        try same(["report", "callbacks", "--format", "json"])
        try same(["report", "callbacks", "--tz", "America/New_York"])
    }
}
