import Foundation
import Testing

/// An index from `callvault run` on real audio plus a few hundred rows written straight into
/// `calls` (as the benchmark does): the triggers keep the report aggregates for both.
private struct AggregateFixture {
    let f: SpoolFixture
    var config: String { f.root.appendingPathComponent("callvault.toml").path }

    init(name: String = #function) throws {
        f = try SpoolFixture(name: name)
        try """
        \(ConfigText.storage)

        [[retention.rules]]
        name = "unanswered"
        outcome = ["missed", "abandoned"]
        keep_audio_days = 30
        keep_record_days = 30

        [[retention.rules]]
        name = "default"
        keep_audio_days = 365
        keep_record_days = 730
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try importRegistry(radio: "Search")
        let calls: [(String, String, String, String)] = [
            ("a1", "speech.wav", "2026-10-31T23:50:00Z", "(212) 555-0187"),
            ("a2", "missed.wav", "2026-11-01T05:40:00Z", "(646) 555-0170"),
            ("a3", "speech.flac", "2026-11-01T06:20:00Z", "(646) 555-0170"),
            ("a4", "abandoned.wav", "2026-11-02T18:10:00Z", "anonymous"),
        ]
        for (stem, fixture, time, caller) in calls {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar("+14155550101", at: time, callID: stem, extra: ["caller": caller]))
        }
        let r = try Support.callvault(["run", "--once", "--config", config])
        precondition(r.status == 0, r.stderr)
        // 400 more calls from a deterministic generator in SQL: 30 callers and anonymous ones,
        // three tracking numbers (one not in the registry), two weeks around the New York
        // fall-back night; half of them may be deleted by retention from 2026-12-01.
        _ = try f.sql("""
            WITH RECURSIVE g(i, s) AS (SELECT 1, 12345 UNION ALL SELECT i + 1, (s * 1103515245 + 12345) % 2147483648 FROM g WHERE i < 400),
                 h(i, x) AS (SELECT i, s >> 8 FROM g)
            INSERT INTO calls (id, call_id, caller, caller_valid, tracking_number, started_at, duration_ms, talk_ms, outcome,
                longest_silence_ms, leading_silence_ms, silences, channels, sample_rate, source_format, source_name, archive_path,
                sha256, bytes, source_bytes, source_sha256, metadata, extra, warnings, ingested_at, caller_area_code,
                retain_audio_until, retain_record_until, audio_purged_at, retention_rule)
            SELECT printf('s%05d', i), printf('synthetic-%d', i),
                   CASE WHEN x % 13 = 0 THEN NULL ELSE printf('+1%s555%04d', CASE x % 3 WHEN 0 THEN '212' WHEN 1 THEN '646' ELSE '305' END, x % 30) END,
                   1, '+1415555010' || (x % 3),
                   strftime('%Y-%m-%dT%H:%M:%SZ', 1792886400 + (x % 1209600), 'unixepoch'),
                   60000 + x % 600000, CASE WHEN x % 4 < 2 THEN (60000 + x % 600000) * 7 / 10 ELSE 0 END,
                   CASE x % 4 WHEN 0 THEN 'answered' WHEN 1 THEN 'answered' WHEN 2 THEN 'missed' ELSE 'abandoned' END,
                   CASE WHEN x % 4 < 2 THEN x % 25000 ELSE 0 END, 0,
                   CASE WHEN x % 4 < 2 THEN '[{"start_ms":1000,"end_ms":' || (1000 + x % 25000) || '}]' ELSE '[]' END,
                   1, 8000, 'WAV', 'x.wav', 'x.opus', '', 0, 0, '', '{}', '{}', '[]', '2026-11-20T00:00:00Z',
                   CASE WHEN x % 13 = 0 THEN NULL ELSE CASE x % 3 WHEN 0 THEN '212' WHEN 1 THEN '646' ELSE '305' END END,
                   '2026-11-20T00:00:00Z', CASE WHEN x % 2 = 0 THEN '2026-12-01T00:00:00Z' ELSE '2030-01-01T00:00:00Z' END, '2026-11-20T00:00:00Z', 'default'
            FROM h
            """)
    }

    func importRegistry(radio: String) throws {
        let csv = f.root.appendingPathComponent("registry.csv").path
        try "tracking_number,campaign,source,medium,valid_from,valid_to\n+14155550100,Print,paper,print,,\n+14155550101,\(radio),kfog,radio,,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["numbers", "import", csv, "--config", config])
        precondition(r.status == 0, r.stderr)
    }

    /// Every report, in each zone, with and without `--exact-scan`: the same bytes.
    func expectSameAsScan(_ context: String, zones: [String], formats: [String]) throws {
        let period = ["--since", "2026-10-29T10:07:13Z", "--until", "2026-11-05T03:52:00Z"]
        let reports: [[String]] = SummaryGroupings.all.map { ["summary", "--by", $0] } + SummaryGroupings.all.map { ["summary", "--by", $0] + period } + [
            ["callers"], ["callers", "--top", "5"] + period, ["callers", "--campaign", "Search"] + period,
            ["hours"], ["hours"] + period, ["area-codes"] + period, ["area-codes"], ["area-codes", "--campaign", "Search"] + period,
            ["summary", "--by", "source", "--campaign", "Search", "--campaign", "Print"] + period,
            ["summary", "--by", "tracking-number", "--since", "2026-11-01", "--until", "2026-11-03"],
            ["compare", "--campaign", "Search", "--before", "2026-10-25..2026-10-31", "--after", "2026-11-01..2026-11-07"],
            ["missed"] + period, ["missed", "--unreturned"], ["dead-air", "--threshold", "12"] + period,
        ]
        for zone in zones {
            for format in formats {
                for args in reports {
                    let common = ["--config", config, "--tz", zone, "--format", format]
                    let fast = try Support.callvault(["report"] + args + common)
                    let scan = try Support.callvault(["report"] + args + common + ["--exact-scan"])
                    #expect(fast.status == 0 && scan.status == 0, "\(fast.stderr)\(scan.stderr)")
                    // html says when it was generated (to the second): the one line that may differ.
                    func body(_ out: String) -> String {
                        out.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("· generated ") }.joined(separator: "\n")
                    }
                    #expect(body(fast.stdout) == body(scan.stdout), "\(context): report \(args.joined(separator: " ")) --tz \(zone) --format \(format)")
                }
            }
        }
    }
}

private enum SummaryGroupings { static let all = ["hour", "day", "week", "campaign", "source", "tracking-number"] }

@Suite("Report aggregates through the CLI: same output as --exact-scan after run, relink, hold and retention", .serialized)
struct AggregateReportCLITests {
    @Test("db upgrade makes a new index with every migration and says which; run again, it says the index is up to date")
    func upgrade() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("index.sqlite").path
        let first = try Support.callvault(["db", "upgrade", "--db", db, "--archive", dir.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Regex(#"applied v1-calls-and-jobs, v2-attribution, .*, v17-caller-last-calls, v18-dead-air-counts in \d+\.\d s; the index is at v18-dead-air-counts\n"#)
            .wholeMatch(in: first.stdout) != nil, "\(first.stdout)")
        let second = try Support.callvault(["db", "upgrade", "--db", db, "--archive", dir.path])
        #expect(second.status == 0 && second.stdout == "the index is up to date (v18-dead-air-counts)\n", "\(second.stdout)\(second.stderr)")
    }

    @Test("aggregates follow run, a registry relink, a hold and retention deleting records; verify and rebuild-aggregates")
    func followsEveryChange() throws {
        let a = try AggregateFixture()
        defer { a.f.remove() }
        #expect(try a.f.sql("SELECT sum(calls) FROM report_quarters") == [["404"]])
        try a.expectSameAsScan("after run", zones: ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"], formats: ["json"])
        try a.expectSameAsScan("after run", zones: ["America/New_York"], formats: ["csv", "table", "html"])

        try a.importRegistry(radio: "Radio")
        #expect(try a.f.sql("SELECT count(*) FROM report_campaign_quarters WHERE campaign = 'Radio'") != [["0"]])
        try a.expectSameAsScan("after relink", zones: ["America/New_York", "Asia/Kathmandu"], formats: ["json"])

        let hold = try Support.callvault(["hold", "add", "CASE-9", "--reason", "dispute", "--by", "counsel", "--caller", "212-555-0003", "--config", a.config])
        #expect(hold.status == 0, "\(hold.stderr)")
        let before = Int(try a.f.sql("SELECT count(*) FROM calls")[0][0])!
        let applied = try Support.callvault(["retention", "apply", "--config", a.config, "--now", "2027-01-01T00:00:00Z"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let after = Int(try a.f.sql("SELECT count(*) FROM calls")[0][0])!
        #expect(after < before - 100, "retention deleted records (\(before) → \(after))")
        #expect(try a.f.sql("SELECT sum(calls) FROM report_quarters") == [["\(after)"]])
        try a.expectSameAsScan("after hold and retention", zones: ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"], formats: ["json"])

        let verify = try Support.callvault(["verify", "--config", a.config, "--format", "json"])
        #expect(verify.status == 0, "\(verify.stdout)")
        _ = try a.f.sql("DELETE FROM report_caller_packs WHERE k % 2 = 0")
        let broken = try Support.callvault(["verify", "--config", a.config])
        #expect(broken.status == 4 && broken.stdout.contains("report aggregates: report_caller_packs"), "\(broken.stdout)")
        let rebuilt = try Support.callvault(["db", "rebuild-aggregates", "--config", a.config])
        #expect(rebuilt.status == 0 && rebuilt.stdout.contains("from \(after) calls"), "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(try Support.callvault(["verify", "--config", a.config]).status == 0)
        try a.expectSameAsScan("after rebuild-aggregates", zones: ["Asia/Kathmandu"], formats: ["json"])
    }
}
