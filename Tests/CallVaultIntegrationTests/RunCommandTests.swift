import Foundation
import Testing

@Suite("callvault run: the spool worker on real speech")
struct RunCommandTests {
    @Test("a mixed spool: good pairs archived and indexed, bad ones quarantined with a reason, exit 3")
    func mixedSpool() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let good = ["speech.wav", "speech-ulaw.wav", "speech-gsm.wav", "speech.flac", "speech.mp3", "speech.ulaw",
                    "speech.gsm", "speech.sln16", "speech-44100.wav", "truncated.wav"]
        for (i, name) in good.enumerated() {
            try f.add(stem: "good\(i)", fixture: name, sidecar: SpoolFixture.sidecar(
                "(415) 555-01\(10 + i)", at: "2026-11-2\(i % 9)T1\(i % 10):00:00Z",
                extra: ["caller": "212.555.0187", "disposition": "ANSWERED", "metadata": ["queue": "sales"], "vendor_field": 7]))
        }
        try f.add(stem: "dual", fixture: "dual-agent-silent.wav", sidecar: SpoolFixture.sidecar(extra: ["channels": ["caller", "agent"]]))
        try f.add(stem: "zero", fixture: "empty.wav", sidecar: SpoolFixture.sidecar())
        try f.add(stem: "random", fixture: "random.wav", sidecar: SpoolFixture.sidecar())
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/badjson.wav")
        try f.writeSidecar(stem: "badjson", raw: "{\"tracking_number\": ")
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/notracking.wav")
        try f.writeSidecar(stem: "notracking", ["started_at": "2026-11-28T14:03:00Z"])
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/badtime.wav")
        try f.writeSidecar(stem: "badtime", ["tracking_number": "+14155550100", "started_at": "yesterday"])
        try f.add(stem: "escape", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "../../x"))
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/lonely.wav")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: f.incoming + "/.hidden.json"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: f.incoming + "/partial.wav.part"))

        let r = try f.run()
        #expect(r.status == 3, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("archived 12, duplicates 0, failed 5"), "\(r.stdout)")

        // The index, read with sqlite3.
        #expect(try f.sql("SELECT count(*) FROM calls") == [["12"]])
        let truncated = try f.sql("SELECT warnings FROM calls WHERE call_id = 'good9'")
        #expect(truncated.first?.first?.contains("truncated: header declares 24.1 s, 6.0 s present") == true)
        let good0 = try f.sql("SELECT caller, tracking_number, outcome, disposition, channels, sample_rate FROM calls WHERE call_id = 'good0'")
        #expect(good0 == [["+12125550187", "+14155550110", "answered", "ANSWERED", "1", "8000"]])
        #expect(try f.sql("SELECT outcome, talk_ms, channels FROM calls WHERE call_id = 'dual'") == [["abandoned", "0", "2"]])

        // The archive: every file is clean Ogg Opus at the date of started_at, nothing escaped.
        #expect(try f.invariantViolations().isEmpty)
        let escape = try f.sql("SELECT archive_path FROM calls WHERE call_id = '../../x'")[0][0]
        #expect(escape.hasPrefix("2026/11/28/c") && !escape.contains(".."))
        #expect(!FileManager.default.fileExists(atPath: f.root.deletingLastPathComponent().appendingPathComponent("x.opus").path))
        for file in f.files(in: f.archive) {
            let info = try Support.opusinfoLength(f.archive + "/" + file)
            #expect(!info.output.contains("WARNING") && !info.output.contains("ERROR"), "\(file): \(info.output)")
        }

        // Quarantine: each bad pair with a readable reason.
        let reasons: [String: String] = [
            "zero": "zero.wav: empty file (0 bytes)", "random": "not a recognised audio file (libsndfile:",
            "badjson": "badjson.json: sidecar is not valid JSON", "notracking": "lacks the required field tracking_number",
            "badtime": "started_at is not an ISO 8601 time",
        ]
        for (stem, reason) in reasons {
            let data = try Data(contentsOf: URL(fileURLWithPath: f.failed + "/" + stem + ".error.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect((object["error"] as? String)?.contains(reason) == true, "\(stem): \(object)")
            #expect(object["attempts"] as? Int == 1)
            #expect(object["failed_at"] is String)
            #expect(FileManager.default.fileExists(atPath: f.failed + "/" + stem + ".json"))
        }
        // Left alone: audio without a sidecar, dotfiles, partial files.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: f.incoming)) == ["lonely.wav", ".hidden.json", "partial.wav.part"])

        // show prints the record with the worker issue's field names.
        let shown = try Support.jsonObject(try Support.callvault(["show", "good0", "--db", f.database, "--archive", f.archive]).stdout)
        for key in ["id", "call_id", "caller", "tracking_number", "started_at", "duration_ms", "talk_ms", "outcome",
                    "longest_silence_ms", "silences", "channels", "sample_rate", "source_format", "disposition",
                    "archive_path", "sha256", "bytes", "source_bytes", "metadata", "warnings", "ingested_at", "archive_file"] {
            #expect(shown[key] != nil, "show lacks \(key)")
        }
        #expect((shown["metadata"] as? [String: String]) == ["queue": "sales"])
        #expect((shown["extra"] as? [String: Int]) == ["vendor_field": 7])
        #expect((shown["archive_file"] as? String)?.hasPrefix(f.archive) == true)
    }

    @Test("the same call twice is archived once; the same call_id with other audio is quarantined")
    func duplicates() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.add(stem: "first", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "1700.1"))
        #expect(try f.run().status == 0)
        try f.add(stem: "again", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "1700.1"))
        try f.add(stem: "other", fixture: "speech.flac", sidecar: SpoolFixture.sidecar(callID: "1700.1"))
        let r = try f.run()
        #expect(r.status == 3)
        #expect(r.stdout.contains("archived 0, duplicates 1, failed 1"), "\(r.stdout)")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["1"]])
        let error = try String(contentsOfFile: f.failed + "/other.error.json", encoding: .utf8)
        #expect(error.contains("already archived") && error.contains("different audio"))
        #expect(try f.invariantViolations().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
    }

    @Test("an existing index's missing spool or archive folder is a configuration error: exit 2 with the path")
    func missingFolders() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        #expect(try f.run().status == 0)  // the index exists now: its folders are no longer created
        let r = try Support.callvault(["run", "--once", "--spool", f.spool, "--archive", f.root.path + "/nope", "--db", f.database])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nope") && r.stderr.contains("does not exist"))
    }

    @Test("a file that is not SQLite is refused, untouched, exit 2")
    func foreignDatabase() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let junk = Data(repeating: 0x41, count: 8192)
        try junk.write(to: URL(fileURLWithPath: f.database))
        let r = try f.run()
        #expect(r.status == 2)
        #expect(r.stderr.contains("not an SQLite database") || r.stderr.contains("file is not a database"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.database)) == junk)
    }
}

@Suite("callvault run in watch mode")
struct WatchModeTests {
    @Test("without --once it keeps watching, archives what arrives, and exits 0 on SIGTERM")
    func watchThenTerminate() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let metricsFile = f.root.appendingPathComponent("metrics.prom").path
        let out = Pipe()
        let p = try Support.start(["run", "--log-level", "error", "--metrics-listen", "127.0.0.1:19473", "--metrics-file", metricsFile] + f.flags,
                                  stdout: out)
        usleep(500_000)
        try f.add(stem: "late", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "late-1"))
        var archived = false
        for _ in 0..<100 where !archived {
            usleep(100_000)
            archived = (try? f.sql("SELECT count(*) FROM calls")) == [["1"]]
        }
        #expect(archived, "the pair dropped while watching was not archived")
        #expect(p.isRunning)
        usleep(2_500_000) // one more scan: the heartbeat rewrites the metrics file
        let health = try Support.run("curl", ["-s", "-w", " %{http_code}", "http://127.0.0.1:19473/healthz"])
        #expect(health.stdout == "ok\n 200")
        let scraped = try Support.run("curl", ["-s", "http://127.0.0.1:19473/metrics"]).stdout
        let parse = try Support.run("/usr/bin/python3", ["-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for path in sys.argv[1:]:
                text = open(path).read() if path != "-" else sys.stdin.read()
                v = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
                print(v["callvault_calls_archived_total"])
            """, metricsFile])
        #expect(parse.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1.0", "\(parse.stderr)")
        #expect(scraped.contains("callvault_calls_archived_total 1.0"))
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let summary = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(summary.contains("archived 1"), "\(summary)")
        #expect(try f.invariantViolations().isEmpty)
    }
}
