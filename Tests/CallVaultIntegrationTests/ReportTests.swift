import Foundation
import Testing

/// An index from `callvault run` on real audio: answered, missed and abandoned calls, repeat callers,
/// two campaigns, spread over days and hours.
private func buildIndex() throws -> SpoolFixture {
    let f = try SpoolFixture(name: "reports")
    let calls: [(String, String, String, String, String)] = [
        ("r1", "speech.wav", "+14155550100", "2026-11-20T14:00:00Z", "(212) 555-0187"),
        ("r2", "missed.wav", "+14155550100", "2026-11-20T15:30:00Z", "(646) 555-0170"),
        ("r3", "speech-gsm.wav", "+14155550100", "2026-11-21T03:00:00Z", "(646) 555-0170"),
        ("r4", "abandoned.wav", "+14155550101", "2026-11-22T09:00:00Z", "(305) 555-0123"),
        ("r5", "speech.flac", "+14155550101", "2026-11-23T10:00:00Z", "+44 20 7946 0958"),
        ("r6", "missed.wav", "+14155550101", "2026-11-24T18:00:00Z", "anonymous"),
        ("r7", "speech.mp3", "+14155550101", "2026-11-25T04:30:00Z", "(212) 555-0187"),
        ("r8", "abandoned.wav", "+14155550100", "2026-11-26T23:00:00Z", "(312) 555-0143"),
    ]
    try f.archive(calls)
    let csv = f.root.appendingPathComponent("registry.csv").path
    try "tracking_number,campaign,source,medium,valid_from,valid_to\n+14155550100,Search,google,cpc,,\n+14155550101,Radio,kfog,radio,,\n"
        .write(toFile: csv, atomically: true, encoding: .utf8)
    let imported = try Support.callvault(["numbers", "import", csv, "--db", f.database])
    try Support.require(imported.status == 0)
    return f
}

private func report(_ f: SpoolFixture, _ args: [String], format: String = "json") throws -> String {
    let r = try Support.callvault(["report"] + args + ["--db", f.database, "--format", format])
    try Support.require(r.status == 0, "report \(args): \(r.stderr)")
    return r.stdout
}

private func rows(_ f: SpoolFixture, _ args: [String]) throws -> [[String: Any]] {
    // A report of several tables (callers) prints an array of them: take the first.
    let value = try Support.json(try report(f, args))
    let table = (value as? [String: Any]) ?? ((value as? [[String: Any]])?.first ?? [:])
    return table["rows"] as? [[String: Any]] ?? []
}

/// CSV rows as dictionaries (the report CSVs have no quoted commas in these fixtures).
private func csvRows(_ text: String) -> [[String: String]] {
    let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
}

@Suite("Reports agree with SQL and with each other, on an index built from real audio", .serialized)
struct ReportTests {
    @Test("summary by day and by campaign: every number matches a direct SQL count, in json, csv and table")
    func summary() throws {
        let f = try buildIndex()
        defer { f.remove() }
        for (by, expr) in [("day", "substr(started_at, 1, 10)"), ("campaign", "campaign")] {
            let json = try rows(f, ["summary", "--by", by])
            let sql = try f.sql("""
                SELECT \(expr), count(*), sum(outcome = 'answered'), sum(outcome = 'missed'), sum(outcome = 'abandoned'),
                       count(DISTINCT caller), sum(talk_ms) FROM calls GROUP BY 1 ORDER BY 1
                """)
            let buckets = json.filter { $0["bucket"] as? String != "TOTAL" }
            #expect(buckets.count == sql.count)
            for (j, s) in zip(buckets, sql) {
                #expect(j["bucket"] as? String == s[0])
                #expect("\(j["calls"]!)" == s[1] && "\(j["answered"]!)" == s[2] && "\(j["missed"]!)" == s[3] && "\(j["abandoned"]!)" == s[4])
                #expect("\(j["unique_callers"]!)" == s[5] && "\(j["talk_ms_total"]!)" == s[6])
            }
            let total = json.last!
            #expect("\(total["calls"]!)" == (try f.sql("SELECT count(*) FROM calls"))[0][0])
            // The CSV says the same.
            let csv = csvRows(try report(f, ["summary", "--by", by], format: "csv"))
            #expect(csv.count == json.count)
            for (c, j) in zip(csv, json) {
                for key in ["bucket", "calls", "answered", "missed", "abandoned", "unique_callers", "first_time_callers", "talk_ms_total"] {
                    #expect(c[key] == "\(j[key]!)", "\(by) \(key)")
                }
            }
            let table = try report(f, ["summary", "--by", by], format: "table")
            #expect(table.contains("TOTAL") && table.contains("\(total["calls"]!)"))
        }
        // First-time callers over the whole index: each distinct caller once.
        let total = try rows(f, ["summary", "--by", "campaign"]).last!
        #expect("\(total["first_time_callers"]!)" == (try f.sql("SELECT count(DISTINCT caller) FROM calls"))[0][0])
    }

    @Test("--tz moves calls into local days and hours")
    func timeZone() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let utc = try rows(f, ["summary", "--by", "day"]).map { try Support.field($0, "bucket", as: String.self) }
        let ny = try rows(f, ["summary", "--by", "day", "--tz", "America/New_York"]).map { try Support.field($0, "bucket", as: String.self) }
        #expect(utc.contains("2026-11-21") && !ny.contains("2026-11-21"), "r3 at 03:00Z is 22:00 on the 20th in New York")
        let hours = try rows(f, ["hours", "--tz", "America/New_York"])
        let nine = hours.first { $0["hour"] as? String == "09" }!
        #expect("\(nine["Fri"]!)" == "1", "r1 at 14:00Z Friday is 09:00 in New York")
        #expect("\(hours.last!["total"]!)" == "8")
    }

    @Test("missed: got-through-later matches SQL; --unreturned is the call-back list")
    func missed() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let all = try rows(f, ["missed"])
        #expect(try Set(all.map { try Support.field($0, "id", as: String.self) }) == Set(try f.sql("SELECT id FROM calls WHERE outcome IN ('missed', 'abandoned')").map { $0[0] }))
        let through = Set(try f.sql("""
            SELECT c.id FROM calls c WHERE c.outcome IN ('missed','abandoned') AND EXISTS
            (SELECT 1 FROM calls a WHERE a.caller = c.caller AND a.outcome = 'answered' AND a.started_at > c.started_at)
            """).map { $0[0] })
        #expect(try Set(all.filter { $0["got_through_later"] as? String == "yes" }.map { try Support.field($0, "id", as: String.self) }) == through)
        let unreturned = try rows(f, ["missed", "--unreturned"]).map { $0["caller"] as? String }
        #expect(unreturned == ["+13055550123", "+13125550143"])
    }

    @Test("callers, area codes and compare agree with SQL")
    func callersAreaCompare() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let overall = try rows(f, ["callers"]).first { $0["scope"] as? String == "(all)" }!
        #expect("\(overall["unique_callers"]!)" == (try f.sql("SELECT count(DISTINCT caller) FROM calls"))[0][0])
        #expect("\(overall["repeat_callers"]!)" == (try f.sql("SELECT count(*) FROM (SELECT caller FROM calls WHERE caller IS NOT NULL GROUP BY caller HAVING count(*) > 1)"))[0][0])
        #expect("\(overall["anonymous_calls"]!)" == "1")

        let areas = try rows(f, ["area-codes"])
        for s in try f.sql("SELECT caller_area_code, count(*), sum(outcome = 'answered') FROM calls WHERE caller_area_code IS NOT NULL GROUP BY 1") {
            let row = areas.first { $0["area_code"] as? String == s[0] }
            #expect(row.map { "\($0["calls"]!)" } == s[1] && row.map { "\($0["answered"]!)" } == s[2], "area \(s[0])")
        }
        #expect(areas.contains { $0["country"] as? String == "United Kingdom" })
        #expect(areas.first { $0["area_code"] as? String == "212" }?["region"] as? String == "New York")

        let compare = try rows(f, ["compare", "--campaign", "Radio", "--before", "2026-11-22..2026-11-23", "--after", "2026-11-24..2026-11-25"])
        let calls = compare.first { $0["metric"] as? String == "calls" }!
        #expect("\(calls["before"]!)" == "2" && "\(calls["after"]!)" == "2")
        let perDay = compare.first { $0["metric"] as? String == "calls_per_day" }!
        #expect(try (try Support.field(perDay, "before", as: Double.self)) == 1.0 && (try Support.field(perDay, "change", as: Double.self)) == 0)
        let rate = compare.first { $0["metric"] as? String == "answer_rate" }!
        #expect(try (try Support.field(rate, "before", as: Double.self)) == 0.5 && (try Support.field(rate, "after", as: Double.self)) == 0.5)
    }

    @Test("dead air: the 5 s inner silence of the speech fixture is found at 5 s, not at 10 s")
    func deadAir() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let found = try rows(f, ["dead-air", "--threshold", "5"])
        #expect(try Set(found.map { try Support.field($0, "id", as: String.self) }).isSuperset(of: Set(try f.sql("SELECT id FROM calls WHERE call_id = 'r1'").map { $0[0] })))
        #expect(try found.allSatisfy { (try Support.field($0, "longest_inner_silence_ms", as: Int.self)) > 5000 })
        #expect(try rows(f, ["dead-air"]).isEmpty)
    }

    @Test("html: one self-contained file that headless Chromium renders without errors")
    func html() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let path = f.root.appendingPathComponent("out/summary.html").path
        let r = try Support.callvault(["report", "summary", "--by", "campaign", "--db", f.database, "--format", "html", "--output", path])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 5, "five charts: trend, outcomes, heat map, area codes, source / medium")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "no network, no script")
        #expect(html.contains("Radio") && html.contains("Search"))
        // Written for a marketing manager: the period on top, readable headers, percentages and m:ss.
        #expect(html.contains("Period: all calls (times in UTC)"))
        #expect(html.contains("<th>Answer rate</th>") && html.contains("<th>Talk time (average)</th>"))
        #expect(html.range(of: #"<td class="n">\d+(\.\d)?%</td>"#, options: .regularExpression) != nil, "answer rate as a percentage")
        #expect(html.range(of: #"<td class="n">\d+:\d\d</td>"#, options: .regularExpression) != nil, "talk time as m:ss")
        #expect(!html.contains("(anonymous)"), "anonymous callers are not an area code")
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("chromium is not installed (scripts/test.sh installs it)")
            return
        }
        let png = f.root.appendingPathComponent("summary.png").path
        let shot = try Support.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1400",
                                              "--screenshot=\(png)", "file://\(path)"])
        #expect(shot.status == 0, "\(shot.stderr)")
        let size = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        #expect(size > 20_000, "screenshot is \(size) bytes")
        let dom = try Support.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(path)"])
        #expect(dom.stdout.contains("<svg") && dom.stdout.contains("Summary by campaign"))
        #expect(!dom.stderr.contains("ERROR:CONSOLE") && !dom.stderr.contains("Uncaught"))
        if let keep = ProcessInfo.processInfo.environment["CALLVAULT_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }
}
