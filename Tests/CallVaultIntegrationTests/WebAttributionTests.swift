import Foundation
import Testing

/// Number pools and web call-backs on an index built by `callvault run` from real speech, with
/// made-up web logs. Times (UTC):
///
/// - pool number +14155550200: sessions s-a (10:00–10:05, google) and s-b (10:02–10:08, bing)
///   overlap; p1 at 10:10 (both active: s-b, seen last), p2 at 10:38:00 (s-b's last_seen + 30 min,
///   the edge, still s-b), p3 at 10:38:01 (no session: the pool's fallback);
/// - pool number +14155550201: p4 at 02:30 on the 21st (21:30 on the 20th in New York), whose
///   session s-late is imported only after the calls;
/// - n1: a number of its own;
/// - outbound: o1 names its request (req-1); o2 dials a number that asked 20 min before (req-2,
///   the latest in the window; req-old is too old); o3 dials one that asked 60 min before (none);
///   o4 dials one that asked exactly 30 min before (req-4, the edge). req-3 and req-old are never
///   called back.
private let registry = """
tracking_number,campaign,source,medium,valid_from,valid_to,pool
+14155550100,Search,google,cpc,,,
+14155550200,Website pool,website,pool-fallback,,,web
+14155550201,Website pool,website,pool-fallback,,,web

"""

private let sessions = """
session_id,pool_number,first_seen,last_seen,utm_source,utm_medium,utm_campaign,utm_term,utm_content,keyword,landing_page,referrer,gclid
s-a,(415) 555-0200,2026-11-20T10:00:00Z,2026-11-20T10:05:00Z,google,cpc,winter,plumber,ad-1,emergency plumber,/boilers,https://www.google.com/,Cj0KCQ-a
s-b,+14155550200,2026-11-20T10:02:00Z,2026-11-20T10:08:00Z,bing,cpc,winter,,,boiler repair,/repairs,https://www.bing.com/,

"""

/// JSON Lines, imported after the calls.
private let lateSessions = """
{"session_id": "s-late", "pool_number": "+14155550201", "first_seen": "2026-11-21T02:20:00Z", "last_seen": "2026-11-21T02:25:00Z", "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "winter", "keyword": "emergency plumber", "landing_page": "/boilers"}

"""

private let callbacks = """
request_id,phone,requested_at,utm_source,utm_medium,utm_campaign,utm_term,utm_content,landing_page,referrer,gclid
req-1,212-555-0187,2026-11-20T11:50:00Z,facebook,social,spring,,,/contact,https://facebook.com/,
req-old,+16465550170,2026-11-21T03:00:00Z,google,cpc,winter,old,,/contact,,
req-2,(646) 555-0170,2026-11-21T04:00:00Z,google,cpc,winter,emergency plumber,,/contact,,Cj0KCQ-2
req-3,+13055550123,2026-11-22T08:00:00Z,google,cpc,winter,,,/contact,,
req-4,+13125550143,2026-11-23T10:00:00Z,newsletter,email,spring,,,/contact,,

"""

private func write(_ text: String, _ name: String, in f: SpoolFixture) throws -> String {
    let path = f.root.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

private func callvault(_ f: SpoolFixture, _ args: [String]) throws -> Support.Result {
    try Support.callvault(args + ["--db", f.database])
}

/// The registry and the first sessions imported before the calls (linked at ingest), the calls
/// archived; s-late and the call-backs are left to the test.
private func buildIndex() throws -> SpoolFixture {
    let f = try SpoolFixture(name: "web-attribution")
    let imported = try callvault(f, ["numbers", "import", try write(registry, "registry.csv", in: f)])
    try Support.require(imported.status == 0, imported.stderr)
    let early = try callvault(f, ["web", "import-sessions", try write(sessions, "sessions.csv", in: f)])
    try Support.require(early.status == 0, early.stderr)
    let inbound: [(String, String, String, String)] = [
        ("p1", "speech.wav", "+14155550200", "2026-11-20T10:10:00Z"),
        ("p2", "missed.wav", "+14155550200", "2026-11-20T10:38:00Z"),
        ("p3", "speech-gsm.wav", "+14155550200", "2026-11-20T10:38:01Z"),
        ("p4", "speech.flac", "+14155550201", "2026-11-21T02:30:00Z"),
        ("n1", "abandoned.wav", "+14155550100", "2026-11-21T15:00:00Z"),
    ]
    for (stem, fixture, number, time) in inbound {
        try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: time, callID: stem, extra: ["caller": "+12125550111"]))
    }
    let outbound: [(String, String, String, String, String?)] = [
        ("o1", "speech.mp3", "(212) 555-0187", "2026-11-20T12:00:00Z", "req-1"),
        ("o2", "missed.wav", "+16465550170", "2026-11-21T04:20:00Z", nil),
        ("o3", "speech.ulaw", "+13055550123", "2026-11-22T09:00:00Z", nil),
        ("o4", "speech.wav", "+13125550143", "2026-11-23T10:30:00Z", nil),
    ]
    for (stem, fixture, callee, time, request) in outbound {
        var sidecar: [String: Any] = ["direction": "outbound", "callee": callee, "started_at": time, "call_id": stem]
        if let request { sidecar["callback_request_id"] = request }
        if stem == "o4" { sidecar["tracking_number"] = "+14155550100" }  // the caller ID presented: optional
        try f.add(stem: stem, fixture: fixture, sidecar: sidecar)
    }
    let r = try f.run()
    try Support.require(r.status == 0, r.stderr)
    return f
}

/// Each call's attribution by call_id, from `query --format json`.
private func attributions(_ f: SpoolFixture) throws -> [String: [String: Any]] {
    let r = try Support.callvault(["query", "--db", f.database, "--archive", f.archive, "--format", "json", "--limit", "0"])
    try Support.require(r.status == 0, r.stderr)
    var byID: [String: [String: Any]] = [:]
    for record in try Support.jsonArray(r.stdout) {
        byID[try Support.field(record, "call_id", as: String.self)] = try Support.field(record, "attribution", as: [String: Any].self)
    }
    return byID
}

private func reportRows(_ f: SpoolFixture, _ args: [String]) throws -> [[String: Any]] {
    let r = try callvault(f, ["report"] + args + ["--format", "json"])
    try Support.require(r.status == 0, "report \(args): \(r.stderr)")
    return try Support.field(try Support.jsonObject(r.stdout), "rows", as: [[String: Any]].self)
}

/// `text` as the report pages print it (HTML-escaped).
private func HTMLEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        .replacingOccurrences(of: "\"", with: "&quot;")
}

private func text(_ value: Any?) -> String {
    switch value {
    case let s as String: s
    case let n as NSNumber: n.stringValue
    default: ""
    }
}

@Suite("Web attribution: number pools, call-backs, attribution on records, keyword reports", .serialized)
struct WebAttributionTests {
    @Test("two sessions overlapping on one pool number, the timeout edge at the second, a session imported after its calls")
    func poolSessions() throws {
        let f = try buildIndex()
        defer { f.remove() }
        var a = try attributions(f)
        #expect(a["p1"]?["method"] as? String == "pool-session" && a["p1"]?["session_id"] as? String == "s-b")
        #expect(a["p1"]?["keyword"] as? String == "boiler repair" && a["p1"]?["utm_source"] as? String == "bing")
        #expect(a["p2"]?["method"] as? String == "pool-session" && a["p2"]?["session_id"] as? String == "s-b")
        #expect(a["p3"]?["method"] as? String == "pool-fallback" && a["p3"]?["session_id"] is NSNull)
        #expect(a["p4"]?["method"] as? String == "pool-fallback")
        #expect(a["n1"]?["method"] as? String == "number" && a["n1"]?["utm_source"] is NSNull)
        #expect(Set(try #require(a["p1"]).keys) == ["method", "session_id", "request_id", "utm_source", "utm_medium", "utm_campaign",
                                                      "utm_term", "utm_content", "keyword", "landing_page", "gclid"])
        // A pool-session call's campaign/source/medium are the session's utm fields; the fallback's the pool row's.
        #expect(try f.sql("SELECT call_id, campaign, source, medium FROM calls WHERE call_id IN ('p1', 'p3') ORDER BY call_id")
                == [["p1", "winter", "bing", "cpc"], ["p3", "Website pool", "website", "pool-fallback"]])

        let late = try write(lateSessions, "late.jsonl", in: f)
        let imported = try callvault(f, ["web", "import-sessions", late])
        #expect(imported.status == 0 && imported.stdout.contains("1 sessions (1 new, 0 changed); 1 calls re-linked"), "\(imported.stdout)\(imported.stderr)")
        a = try attributions(f)
        #expect(a["p4"]?["method"] as? String == "pool-session" && a["p4"]?["session_id"] as? String == "s-late")
        #expect(a["p4"]?["keyword"] as? String == "emergency plumber" && a["p4"]?["landing_page"] as? String == "/boilers")
        #expect(try f.sql("SELECT campaign FROM calls WHERE call_id = 'p4'") == [["winter"]])

        let before = try f.sql("SELECT id, campaign, attribution FROM calls ORDER BY id")
        let again = try callvault(f, ["web", "import-sessions", late])
        #expect(again.status == 0 && again.stdout.contains("nothing changed"), "\(again.stdout)")
        let csvAgain = try callvault(f, ["web", "import-sessions", f.root.appendingPathComponent("sessions.csv").path])
        #expect(csvAgain.stdout.contains("nothing changed"), "\(csvAgain.stdout)")
        #expect(try f.sql("SELECT id, campaign, attribution FROM calls ORDER BY id") == before)
        #expect(try f.sql("SELECT count(*) FROM audit WHERE action = 'sessions_imported'") == [["2"]])

        // A longer timeout (config) re-links p3 to s-b at `numbers relink`.
        let config = try write("pool_session_timeout_minutes = 31\n", "callvault.toml", in: f)
        let relinked = try callvault(f, ["numbers", "relink", "--config", config])
        #expect(relinked.status == 0 && relinked.stdout.contains("1 calls re-linked"), "\(relinked.stdout)\(relinked.stderr)")
        #expect(try attributions(f)["p3"]?["session_id"] as? String == "s-b")
    }

    @Test("call-backs matched by id and by number within the window (edge included), a request with no call-back")
    func callbacksLinked() throws {
        let f = try buildIndex()
        defer { f.remove() }
        #expect(try attributions(f).filter { $0.key.hasPrefix("o") }.allSatisfy { $0.value["method"] as? String == "none" })
        let csv = try write(callbacks, "callbacks.csv", in: f)
        let imported = try callvault(f, ["web", "import-callbacks", csv])
        #expect(imported.status == 0 && imported.stdout.contains("5 requests (5 new, 0 changed); 3 calls re-linked"), "\(imported.stdout)\(imported.stderr)")
        let a = try attributions(f)
        #expect(a["o1"]?["method"] as? String == "callback" && a["o1"]?["request_id"] as? String == "req-1")
        #expect(a["o2"]?["request_id"] as? String == "req-2" && a["o2"]?["keyword"] as? String == "emergency plumber" && a["o2"]?["gclid"] as? String == "Cj0KCQ-2")
        #expect(a["o3"]?["method"] as? String == "none")
        #expect(a["o4"]?["request_id"] as? String == "req-4")
        #expect(try f.sql("SELECT call_id, direction, callee, tracking_number, campaign, source, medium FROM calls WHERE direction = 'outbound' ORDER BY call_id")
                == [["o1", "outbound", "+12125550187", "", "spring", "facebook", "social"],
                    ["o2", "outbound", "+16465550170", "", "winter", "google", "cpc"],
                    ["o3", "outbound", "+13055550123", "", "", "", ""],
                    ["o4", "outbound", "+13125550143", "+14155550100", "spring", "newsletter", "email"]])
        let id = try #require(try f.sql("SELECT id FROM calls WHERE call_id = 'o1'").first?.first)
        let shown = try Support.jsonObject(try Support.callvault(["show", id, "--db", f.database, "--archive", f.archive]).stdout)
        #expect(shown["direction"] as? String == "outbound" && shown["callback_request_id"] as? String == "req-1")
        #expect((shown["attribution"] as? [String: Any])?["landing_page"] as? String == "/contact")

        let again = try callvault(f, ["web", "import-callbacks", csv])
        #expect(again.status == 0 && again.stdout.contains("5 requests, nothing changed"), "\(again.stdout)")
        // JSON Lines, the same request changed: updated by id, nothing else touched.
        let changed = try write("{\"request_id\": \"req-3\", \"phone\": \"+13055550123\", \"requested_at\": \"2026-11-22T08:45:00Z\"}\n", "more.jsonl", in: f)
        let update = try callvault(f, ["web", "import-callbacks", changed])
        #expect(update.stdout.contains("1 requests (0 new, 1 changed); 1 calls re-linked"), "\(update.stdout)\(update.stderr)")
        #expect(try attributions(f)["o3"]?["request_id"] as? String == "req-3")
    }

    @Test("a bad web log is refused whole with FILE:LINE: field: reason")
    func badFiles() throws {
        let f = try SpoolFixture(name: "web-bad")
        defer { f.remove() }
        let cases: [(String, [String], String)] = [
            ("request_id,phone,requested_at\nr1,not a phone,2026-11-20T10:00:00Z\n", ["import-callbacks"], "bad.csv:2: phone: \"not a phone\" is not a phone number"),
            ("request_id,phone,requested_at\nr1,4155550100,yesterday\n", ["import-callbacks"], "bad.csv:2: requested_at: \"yesterday\" is not an ISO 8601 time"),
            ("request_id,phone,requested_at\nr1,4155550100,2026-11-20T10:00:00Z\nr1,4155550101,2026-11-20T10:00:00Z\n", ["import-callbacks"],
             "bad.csv:3: request_id: \"r1\" is already on line 2"),
            ("request_id,phone,requested_at,utm_sorce\n", ["import-callbacks"], "bad.csv:1: the column \"utm_sorce\" is not one of request_id"),
            ("session_id,pool_number,first_seen,last_seen\ns1,4155550200,2026-11-20T10:05:00Z,2026-11-20T10:00:00Z\n", ["import-sessions"],
             "bad.csv:2: last_seen: is before first_seen"),
            ("{\"session_id\": \"s1\", \"pool_number\": \"4155550200\", \"first_seen\": \"2026-11-20T10:00:00Z\"}\n", ["import-sessions"],
             "bad.csv:1: last_seen: is required"),
            ("{\"session_id\": \"s1\"}\n{not json\n", ["import-sessions"], "bad.csv:2: not a JSON object"),
        ]
        for (content, command, problem) in cases {
            let r = try callvault(f, ["web"] + command + [try write(content, "bad.csv", in: f)])
            #expect(r.status == 2)
            #expect(r.stderr.contains(problem), "\(r.stderr)")
        }
        // Every file was refused before the index was opened: none was made.
        #expect(!FileManager.default.fileExists(atPath: f.database))
    }

    @Test("report callbacks: every number equals SQL on the index, in UTC and across New York's day boundary",
          arguments: ["UTC", "America/New_York"])
    func callbacksReport(zone: String) throws {
        let f = try buildIndex()
        defer { f.remove() }
        _ = try callvault(f, ["web", "import-callbacks", try write(callbacks, "callbacks.csv", in: f)])
        let rows = try reportRows(f, ["callbacks", "--tz", zone])
        let offset = zone == "UTC" ? "+0 hours" : "-5 hours"  // New York in November: UTC-05:00
        let sql = try f.sql("""
            SELECT date(r.requested_at, '\(offset)'), count(*), count(c.first), sum(c.answered)
            FROM callback_requests r LEFT JOIN (
                SELECT json_extract(attribution, '$.request_id') AS rid, min(started_at) AS first, max(outcome = 'answered') AS answered
                FROM calls WHERE json_extract(attribution, '$.method') = 'callback' GROUP BY 1) c ON c.rid = r.request_id
            GROUP BY 1 ORDER BY 1
            """)
        let days = rows.filter { text($0["day"]) != "TOTAL" }
        #expect(days.map { text($0["day"]) } == sql.map { $0[0] })
        for (row, s) in zip(days, sql) {
            #expect(text(row["requests"]) == s[1] && text(row["called_back"]) == s[2] && text(row["answered"]) == (s[3].isEmpty ? "0" : s[3]), "\(row) \(s)")
        }
        if zone == "America/New_York" {
            // req-old (03:00Z) and req-2 (04:00Z) belong to the 20th in New York, with req-1.
            #expect(days.first.map { text($0["day"]) } == "2026-11-20" && days.first.map { text($0["requests"]) } == "3")
        }
        let delays = try f.sql("""
            SELECT CAST(strftime('%s', min(c.started_at)) AS INTEGER) - CAST(strftime('%s', r.requested_at) AS INTEGER)
            FROM callback_requests r JOIN calls c ON json_extract(c.attribution, '$.request_id') = r.request_id
            GROUP BY r.request_id ORDER BY 1
            """).compactMap { Int($0[0]) }
        #expect(delays == [600, 1200, 1800])
        let total = try #require(rows.last)
        #expect(text(total["day"]) == "TOTAL" && text(total["requests"]) == "5" && text(total["called_back"]) == "3")
        #expect(text(total["median_to_callback_s"]) == "\(delays[1])" && text(total["p90_to_callback_s"]) == "\(delays[2])")
        #expect(text(total["callback_rate"]) == "0.6")
        let answered = try f.sql("SELECT count(DISTINCT json_extract(attribution, '$.request_id')) FROM calls WHERE json_extract(attribution, '$.method') = 'callback' AND outcome = 'answered'")
        #expect(text(total["answered"]) == answered[0][0])
    }

    @Test("summary --by utm_source, keyword, landing_page, attribution_method and compare --keyword equal SQL; the HTML has the source/medium chart")
    func keywordReports() throws {
        let f = try buildIndex()
        defer { f.remove() }
        _ = try callvault(f, ["web", "import-sessions", try write(lateSessions, "late.jsonl", in: f)])
        _ = try callvault(f, ["web", "import-callbacks", try write(callbacks, "callbacks.csv", in: f)])
        for (by, field) in [("utm_source", "utm_source"), ("utm_medium", "utm_medium"), ("utm_campaign", "utm_campaign"), ("keyword", "keyword"),
                            ("landing_page", "landing_page"), ("attribution_method", "method")] {
            for extra in [[String](), ["--since", "2026-11-21", "--tz", "America/New_York"]] {
                let rows = try reportRows(f, ["summary", "--by", by] + extra).filter { text($0["bucket"]) != "TOTAL" }
                let since = extra.isEmpty ? "" : "WHERE started_at >= '2026-11-21T05:00:00Z'"
                let sql = try f.sql("""
                    SELECT ifnull(json_extract(attribution, '$.\(field)'), '(none)'), count(*), sum(outcome = 'answered'), sum(talk_ms)
                    FROM calls \(since) GROUP BY 1 ORDER BY 1
                    """)
                #expect(rows.map { [text($0["bucket"]), text($0["calls"]), text($0["answered"]), text($0["talk_ms_total"])] } == sql, "--by \(by) \(extra)")
            }
        }
        let compare = try reportRows(f, ["compare", "--keyword", "emergency plumber", "--before", "2026-11-20..2026-11-20", "--after", "2026-11-21..2026-11-21"])
        let calls = try #require(compare.first { text($0["metric"]) == "calls" })
        let counts = try f.sql("""
            SELECT sum(started_at < '2026-11-21'), sum(started_at >= '2026-11-21' AND started_at < '2026-11-22') FROM calls
            WHERE json_extract(attribution, '$.keyword') = 'emergency plumber'
            """)[0]
        #expect(text(calls["before"]) == counts[0] && text(calls["after"]) == counts[1], "\(calls) \(counts)")
        #expect(counts == ["0", "2"])
        let html = try callvault(f, ["report", "summary", "--by", "keyword", "--format", "html"])
        #expect(html.stdout.contains("Calls and answer rate by source / medium") && html.stdout.contains("bing / cpc"))
        let missing = try callvault(f, ["report", "compare", "--before", "2026-11-20..2026-11-20", "--after", "2026-11-21..2026-11-21"])
        #expect(missing.status == 2 && missing.stderr.contains("compare needs --campaign or --keyword"))
    }

    @Test("the web report pages: compare's keyword, before and after fields give `report compare --keyword`'s figures; summary offers every grouping")
    func webReportForms() throws {
        let f = try buildIndex()
        defer { f.remove() }
        _ = try callvault(f, ["web", "import-sessions", try write(lateSessions, "late.jsonl", in: f)])
        _ = try callvault(f, ["web", "import-callbacks", try write(callbacks, "callbacks.csv", in: f)])
        try addUser(f, "qa1", role: "qa", password: "qa-password-123")
        let server = try LiveServer(f)
        defer { _ = server.stop() }
        #expect(try server.login("qa1", "qa-password-123").status == 303)

        // Opened from the list of reports, compare has nothing to compare yet: its form, and what to fill in.
        let bare = try server.request("/reports/compare")
        #expect(bare.status == 400)
        #expect(bare.text.contains("compare needs a campaign or a keyword"), "\(bare.text)")
        #expect(bare.text.contains("<input name=\"keyword\" value=\"\">") && bare.text.contains("<input name=\"before\" value=\"\"")
                && bare.text.contains("<input name=\"after\" value=\"\""), "\(bare.text)")

        // The API and the page against the CLI: one keyword across New York's 25-hour day (DST ends
        // 2026-11-01), and two keywords within a campaign with an instant as FROM.
        let cases: [(query: String, arguments: [String])] = [
            ("keyword=emergency+plumber&before=2026-11-01..2026-11-01&after=2026-11-20..2026-11-20&tz=America%2FNew_York",
             ["--keyword", "emergency plumber", "--before", "2026-11-01..2026-11-01", "--after", "2026-11-20..2026-11-20", "--tz", "America/New_York"]),
            ("keyword=emergency%20plumber&keyword=boiler%20repair&campaign=winter&before=2026-11-19..2026-11-20T10:30:00Z&after=2026-11-21T00:00:00Z..2026-11-23",
             ["--keyword", "emergency plumber", "--keyword", "boiler repair", "--campaign", "winter",
              "--before", "2026-11-19..2026-11-20T10:30:00Z", "--after", "2026-11-21T00:00:00Z..2026-11-23"]),
        ]
        var results: [[String: Any]] = []
        for (query, arguments) in cases {
            let cli = try callvault(f, ["report", "compare"] + arguments + ["--format", "json"])
            try #require(cli.status == 0, "\(cli.stderr)")
            let fromCLI = try Support.jsonObject(cli.stdout)
            let api = try server.request("/api/reports/compare?" + query)
            #expect(api.status == 200, "\(api.text)")
            let fromWeb = try #require(api.json as? [String: Any], "\(api.text)")
            #expect(NSDictionary(dictionary: fromWeb) == NSDictionary(dictionary: fromCLI), "\(query)\n\(api.text)\n\(cli.stdout)")
            let page = try server.request("/reports/compare?" + query)
            #expect(page.status == 200)
            let title = try Support.field(fromCLI, "report", as: String.self)
            #expect(page.text.contains(HTMLEscaped(title)), "\(title)")
            for keyword in ["emergency plumber", "boiler repair"] where arguments.contains(keyword) {
                #expect(page.text.contains("<input name=\"keyword\" value=\"\(keyword)\">"), "the field keeps \(keyword)")
            }
            results.append(fromCLI)
        }
        // The figures are the index's: the keyword's calls on the 20th in New York, SQL on the index.
        let rows = try Support.field(results[0], "rows", as: [[String: Any]].self)
        let calls = try #require(rows.first { text($0["metric"]) == "calls" })
        let sql = try f.sql("""
            SELECT count(*) FROM calls WHERE json_extract(attribution, '$.keyword') = 'emergency plumber'
            AND started_at >= '2026-11-20T05:00:00Z' AND started_at < '2026-11-21T05:00:00Z'
            """)
        #expect(text(calls["after"]) == sql[0][0] && sql[0][0] == "2", "\(calls) \(sql)")
        #expect(try Support.field(results[0], "notes", as: [String].self).first == "before: 2026-11-01T04:00:00Z .. 2026-11-02T05:00:00Z (1.0 days)")

        // Mistakes are the CLI's, named by field, with the form kept as sent.
        for (query, arguments, web, command) in [
            ("keyword=x&before=2026-11-20&after=2026-11-21..2026-11-22", ["--keyword", "x", "--before", "2026-11-20", "--after", "2026-11-21..2026-11-22"],
             "before must be FROM..TO", "--before must be FROM..TO"),
            ("keyword=x&before=2026-11-22..2026-11-20&after=2026-11-21..2026-11-22", ["--keyword", "x", "--before", "2026-11-22..2026-11-20", "--after", "2026-11-21..2026-11-22"],
             "before: FROM must be before TO", "--before: FROM must be before TO"),
            ("keyword=x&before=2026-11-20..2026-11-21&after=soon..2026-11-22", ["--keyword", "x", "--before", "2026-11-20..2026-11-21", "--after", "soon..2026-11-22"],
             "after: &quot;soon&quot; is not a date", "--after: \"soon\" is not a date"),
        ] {
            let page = try server.request("/reports/compare?" + query)
            #expect(page.status == 400 && page.text.contains(web) && page.text.contains("<input name=\"keyword\" value=\"x\">"), "\(page.text)")
            let cli = try callvault(f, ["report", "compare"] + arguments)
            #expect(cli.status == 2 && cli.stderr.contains(command), "\(cli.stderr)")
        }

        // summary's By is a choice of every grouping, the web attribution's among them.
        let summary = try server.request("/reports/summary?by=keyword")
        #expect(summary.status == 200)
        for by in ["hour", "day", "week", "campaign", "source", "tracking-number", "utm_source", "utm_medium", "utm_campaign", "landing_page", "attribution_method"] {
            #expect(summary.text.contains("<option value=\"\(by)\">\(by)</option>"), "\(by)")
        }
        #expect(summary.text.contains("<option value=\"keyword\" selected>keyword</option>"))
        let byMethod = try server.request("/api/reports/summary?by=attribution_method")
        let cliByMethod = try callvault(f, ["report", "summary", "--by", "attribution_method", "--format", "json"])
        let webRows = try #require(byMethod.json as? [String: Any])
        #expect(NSDictionary(dictionary: webRows) == NSDictionary(dictionary: try Support.jsonObject(cliByMethod.stdout)), "\(byMethod.text)")
    }
}
