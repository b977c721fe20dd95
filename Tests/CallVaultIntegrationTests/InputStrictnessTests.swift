import Foundation
import Testing

/// Regression tests for issue 11's input defects, through the built binary on real speech.
@Suite("Strict input: times, sidecar keys, usage errors, registry fields", .serialized)
struct InputStrictnessTests {
    @Test("impossible times, duplicate keys and an unset switch clock are quarantined with their reason; a blank call_id falls back to the stem")
    func sidecarDefects() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "feb30", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-02-30T10:00:00Z"))
        try f.add(stem: "offset", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-20T10:00:00+25:00"))
        try f.add(stem: "epoch", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "1970-01-01T00:00:05Z"))
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/dup.wav")
        try f.writeSidecar(stem: "dup", raw: #"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00Z", "caller": "1", "caller": "2"}"#)
        try f.add(stem: "blank1", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-20 14:00:00Z", extra: ["call_id": ""]))
        try f.add(stem: "blank2", fixture: "speech-gsm.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-20T14:01Z", extra: ["call_id": "  "]))
        let r = try f.run()
        #expect(r.status == 3, "\(r.stderr)")
        let ids = try f.sql("SELECT call_id FROM calls ORDER BY call_id").map { $0[0] }
        #expect(ids == ["blank1", "blank2"])
        func reason(_ stem: String) throws -> String {
            let data = try Data(contentsOf: URL(fileURLWithPath: f.failed + "/\(stem).error.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try #require(object["error"] as? String)
        }
        #expect(try reason("feb30").contains("started_at"))
        #expect(try reason("offset").contains("started_at"))
        #expect(try reason("epoch").contains("unset"))
        #expect(try reason("dup").contains("\"caller\" twice"))
        #expect(try f.invariantViolations().isEmpty)
    }

    @Test("usage errors exit 2, as documented, and a misspelt command gets a suggestion", arguments: [
        ["query", "--frobnicate"], ["query", "--format", "yaml"], ["query", "--tz", "Mars/Olympus"],
        ["query", "--since", "someday"], ["show"], ["run", "--workers", "abc"], ["report", "summary", "--by", "moon"],
        ["query", "--limit", "-1"], ["report", "callers", "--top", "-3"], ["report", "dead-air", "--threshold", "-1"],
        ["verify", "--sample", "0"], ["report", "summary", "--since-days", "-5"],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let r = try Support.callvault(arguments + ["--db", "/nonexistent/x.sqlite"])
        #expect(r.status == 2, "\(arguments): \(r.status) \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        #expect(!r.stderr.contains("Missing value") && !r.stderr.contains("crashed"), "\(r.stderr)")
    }

    @Test("callvault quary suggests query")
    func suggestion() throws {
        let r = try Support.callvault(["quary"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Did you mean 'query'?"))
    }

    @Test("--since accepts 7d and yesterday; query takes --since-days as reports do")
    func relativeSince() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "now", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: Self.iso(Date().addingTimeInterval(-3600))))
        try f.add(stem: "old", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: Self.iso(Date().addingTimeInterval(-10 * 86400))))
        #expect(try f.run().status == 0)
        for (since, expected) in [("7d", 1), ("30d", 2), ("yesterday", 1)] {
            let r = try Support.callvault(["query", "--db", f.database, "--since", since, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let rows = try #require(try Support.json(r.stdout) as? [Any])
            #expect(rows.count == expected, "--since \(since)")
        }
        for (days, expected) in [("1", 1), ("30", 2)] {
            let r = try Support.callvault(["query", "--db", f.database, "--since-days", days, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try #require(try Support.json(r.stdout) as? [Any]).count == expected, "--since-days \(days)")
        }
    }

    @Test("a registry field with a line break is refused with its line and field")
    func registryControlCharacters() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("reg.csv").path
        try Data("tracking_number,campaign\n+14155550100,\"Spring\nSale\"\n".utf8).write(to: URL(fileURLWithPath: csv))
        let r = try Support.callvault(["numbers", "import", csv, "--db", dir.appendingPathComponent("i.sqlite").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("reg.csv:2: campaign: contains the control character U+000A"), "\(r.stderr)")
    }

    @Test("numbers import grows linearly: 4x the rows take well under 8x the CPU time; an unchanged file is quicker still")
    func registryImportSpeed() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func registry(_ numbers: Int) throws -> String {
            let csv = dir.appendingPathComponent("reg\(numbers).csv").path
            var text = "tracking_number,campaign,source,medium,valid_from,valid_to\n"
            for i in 0..<numbers {
                let number = "+1415" + String(2_000_000 + i)
                text += "\(number),Campaign-\(i % 97),google,cpc,2026-01-01,2026-06-01\n"
                text += "\(number),Campaign-\((i + 1) % 97),bing,cpc,2026-06-01T00:00:00Z,\n"
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: csv))
            return csv
        }
        /// The import's CPU time (user + system, from GNU time): wall time would follow whatever
        /// else the machine runs (the suite runs tests in parallel on two cores).
        func seconds(_ csv: String, _ db: String) throws -> Double {
            let r = try Support.run("/usr/bin/time", ["-f", "cpu %U %S", Support.binary, "numbers", "import", csv,
                                                       "--db", dir.appendingPathComponent(db).path])
            #expect(r.status == 0, "\(r.stderr)")
            let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("cpu ") }, "no time line: \(r.stderr)")
            let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            try #require(fields.count == 2, "\(line)")
            return fields[0] + fields[1]
        }
        let small = try registry(10_000), large = try registry(40_000)
        let smallSeconds = try seconds(small, "a.sqlite")
        let largeSeconds = try seconds(large, "b.sqlite")
        let unchangedSeconds = try seconds(large, "b.sqlite")
        // Linear: about 4x (process start makes it less); the first landing's quadratic overlap check gave about 16x.
        // GNU time reports CPU time in hundredths of a second.
        #expect(largeSeconds < 8 * smallSeconds, "10k rows \(smallSeconds) s, 40k rows \(largeSeconds) s")
        #expect(unchangedSeconds < largeSeconds * 1.5, "unchanged import \(unchangedSeconds) s")
    }

    @Test("the same registry file again is recognised unchanged; the same file read in another zone is imported")
    func unchangedRegistry() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("reg.csv").path, db = dir.appendingPathComponent("i.sqlite").path
        try Data("tracking_number,campaign,valid_from\n+14155550100,A,2026-01-01\n".utf8).write(to: URL(fileURLWithPath: csv))
        #expect(try Support.callvault(["numbers", "import", csv, "--db", db]).stdout.contains("1 new"))
        #expect(try Support.callvault(["numbers", "import", csv, "--db", db]).stdout.contains("1 rows, registry unchanged"))
        let otherZone = try Support.callvault(["numbers", "import", csv, "--db", db, "--tz", "America/New_York"])
        #expect(otherZone.stdout.contains("1 new, 1 removed"), "valid_from moves with the zone: \(otherZone.stdout)")
        #expect(try Support.callvault(["numbers", "import", csv, "--db", db, "--tz", "America/New_York"]).stdout.contains("unchanged"))
    }

    @Test("overlapping spool and archive are refused before anything runs")
    func overlappingFolders() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let r = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.spool, "--db", f.database])
        #expect(r.status == 2)
        #expect(r.stderr.contains("same folder"), "\(r.stderr)")
    }

    @Test("a channel role count that differs from the audio is an error in analyze too; an unknown role is a warning")
    func channelRoles() throws {
        let extra = try Support.callvault(["analyze", Support.fixture("speech.wav"), "--channels", "caller,agent"])
        #expect(extra.status == 2)
        #expect(extra.stderr.contains("2 channel role(s) given"), "\(extra.stderr)")
        let unknown = try Support.callvault(["analyze", Support.fixture("dual-agent-silent.wav"), "--channels", "caller,supervisor", "--json"])
        #expect(unknown.status == 0)
        #expect(unknown.stdout.contains("unknown channel role"))
    }

    @Test("the hour repeated when New York's clocks go back is two rows, each with its offset")
    func repeatedHour() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "edt", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-01T05:30:00Z"))
        try f.add(stem: "est", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-01T06:10:00Z"))
        try f.add(stem: "later", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-01T07:10:00Z"))
        #expect(try f.run().status == 0)
        let r = try Support.callvault(["report", "summary", "--by", "hour", "--tz", "America/New_York", "--db", f.database,
                                       "--format", "csv", "--since", "2026-10-31", "--until", "2026-11-02"])
        #expect(r.status == 0, "\(r.stderr)")
        let labels = r.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        #expect(labels == ["2026-11-01 01:00 UTC-04:00", "2026-11-01 01:00 UTC-05:00", "2026-11-01 02:00", "TOTAL"], "\(r.stdout)")
    }

    @Test("a new installation's first run creates the spool and archive folders; an existing index's missing archive is refused")
    func firstRun() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flags = ["--spool", dir.path + "/spool", "--archive", dir.path + "/archive", "--db", dir.path + "/index.sqlite"]
        let first = try Support.callvault(["run", "--once"] + flags)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/spool/incoming"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/archive"))
        try FileManager.default.removeItem(atPath: dir.path + "/archive")
        let again = try Support.callvault(["run", "--once"] + flags)
        #expect(again.status == 2)
        #expect(again.stderr.contains("does not exist"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/archive"), "a lost mount must not be recreated")
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: date)
    }
}

@Suite("Review findings: hostile settings, metrics and layouts", .serialized)
struct ReviewFindingTests {
    @Test("inf and nan timings are refused by config check instead of crashing run", arguments: [
        "poll_seconds = inf", "poll_seconds = nan", "lease_seconds = nan", "settle_seconds = nan", "lease_seconds = 1e9",
    ])
    func nonFiniteTimings(_ line: String) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("c.toml").path
        try Data("[queue]\n\(line)\n".utf8).write(to: URL(fileURLWithPath: config))
        let r = try Support.callvault(["config", "check", config])
        #expect(r.status == 2, "\(line): \(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("c.toml:2:"), "\(r.stderr)")
    }

    @Test("a metrics file with a negative counter is a reset, not a crash")
    func negativeCounter() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let metrics = f.root.appendingPathComponent("m.prom").path
        try Data("callvault_calls_archived_total -1\n".utf8).write(to: URL(fileURLWithPath: metrics))
        let r = try f.run(["--metrics-file", metrics])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("callvault_calls_archived_total 0"))
    }

    @Test("a spool reached through a symlink cannot hide an archive inside it")
    func symlinkedLayout() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(atPath: dir.path + "/s/incoming", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/slink", withDestinationPath: dir.path + "/s")
        let r = try Support.callvault(["run", "--once", "--spool", dir.path + "/slink", "--archive", dir.path + "/s/archive2",
                                       "--db", dir.path + "/i.sqlite"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("inside the spool"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s/archive2"))
    }
}
