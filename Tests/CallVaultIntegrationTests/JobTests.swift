import Foundation
import Testing

/// A copy of samples/ in a temporary folder, with a job file over it.
private struct JobFixture {
    let root: URL
    var data: String { root.appendingPathComponent("data").path }
    var database: String { data + "/callvault.sqlite" }

    /// What scripts/setup.sh copies into data/ for the demo job.
    static let demoItems = ["spool", "callvault.toml", "registry.csv", "directory.csv", "sessions.jsonl", "callbacks.csv"]

    init(name: String = #function, items: [String] = ["spool", "callvault.toml", "registry.csv"]) throws {
        root = try Support.temporaryDirectory(name)
        let samples = Support.packageRoot.appendingPathComponent("samples").path
        try FileManager.default.createDirectory(atPath: data + "/archive", withIntermediateDirectories: true)
        for item in items {
            try FileManager.default.copyItem(atPath: samples + "/" + item, toPath: data + "/" + item)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Rows of a query through the `sqlite3` CLI (an independent reader of the index).
    func sql(_ query: String) throws -> [[String]] {
        let r = try Support.run("sqlite3", ["-separator", "\t", database, query])
        try Support.require(r.status == 0, "sqlite3: \(r.stderr)")
        return r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func writeJob(_ name: String, _ steps: String) throws -> String {
        let path = root.appendingPathComponent("\(name).toml").path
        try """
        config = "data/callvault.toml"
        metrics_file = "data/metrics/\(name).prom"
        \(steps)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let allSteps = """
    [[steps]]
    command = "import-numbers"
    file = "data/registry.csv"

    [[steps]]
    command = "ingest"

    [[steps]]
    command = "relink"

    [[steps]]
    command = "retention"

    [[steps]]
    command = "verify"
    sample = 5

    [[steps]]
    name = "daily-report"
    command = "report"
    report = "summary"
    by = "day"
    format = "html"
    output_dir = "data/reports"
    """
}

@Suite("callvault job run on a copy of samples/", .serialized)
struct JobTests {
    @Test("all steps run in order; the exit status is the worst step's (3: two samples are bad on purpose)")
    func demo() throws {
        let j = try JobFixture()
        defer { j.remove() }
        let job = try j.writeJob("nightly", JobFixture.allSteps)
        let r = try Support.callvault(["job", "run", job, "--format", "json", "--log-level", "warning"])
        #expect(r.status == 3, "\(r.stderr)")
        let result = try Support.jsonObject(r.stdout)
        let steps = try Support.field(result, "steps", as: [[String: Any]].self)
        #expect(try steps.map { try Support.field($0, "name", as: String.self) } == ["import-numbers", "ingest", "relink", "retention", "verify", "daily-report"])
        #expect(try steps.map { try Support.field($0, "exit_code", as: Int.self) } == [0, 3, 0, 0, 0, 0])
        #expect((result["ingest"] as? [String: Any])?["archived"] as? Int == 16)
        let reports = try FileManager.default.contentsOfDirectory(atPath: j.data + "/reports")
        #expect(reports.count == 1 && reports[0].hasPrefix("summary-by-day-") && reports[0].hasSuffix(".html"))
        let campaigns = try Support.run("sqlite3", [j.database, "SELECT count(*) FROM calls WHERE campaign IS NOT NULL"]).stdout
        // The two outbound call-backs have none until their requests are imported (web import-callbacks).
        #expect(campaigns.trimmingCharacters(in: .whitespacesAndNewlines) == "14")

        // The metrics file parses with Prometheus' own text parser.
        let metrics = j.data + "/metrics/nightly.prom"
        let parse = try Support.run("/usr/bin/python3", ["-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            values = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    values[s.name + str(sorted(s.labels.items()))] = s.value
            print(values["callvault_calls_archived_total[('job_name', 'nightly')]"], values["callvault_calls_failed_total[('job_name', 'nightly')]"],
                  values["callvault_job_step_exit_code[('job_name', 'nightly'), ('step', 'ingest')]"],
                  values["callvault_last_success_timestamp_seconds[('job_name', 'nightly')]"] > 1.7e9)
            """, metrics])
        #expect(parse.status == 0, "\(parse.stderr)")
        #expect(parse.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "16.0 2.0 3.0 True")
    }

    @Test("the lock refuses a second overlapping run with exit 5 and a clear message; --wait waits")
    func lock() throws {
        let j = try JobFixture()
        defer { j.remove() }
        let job = try j.writeJob("nightly", JobFixture.allSteps)
        // Hold the job's lock from another process, as an overlapping run would.
        let holder = try Support.start([j.database + ".job-nightly.lock", "sleep", "3"], executable: "/usr/bin/flock")
        usleep(300_000)
        let refused = try Support.callvault(["job", "run", job])
        #expect(refused.status == 5)
        #expect(refused.stderr.contains("job \"nightly\" is already running"), "\(refused.stderr)")
        let start = Date()
        let waited = try Support.callvault(["job", "run", job, "--wait", "--log-level", "error"])
        #expect(waited.status == 3)
        #expect(Date().timeIntervalSince(start) > 1.5, "--wait did not wait for the lock")
        holder.waitUntilExit()
    }

    @Test("a failed step stops the rest and sets the exit status, unless --continue-on-error")
    func failedStep() throws {
        let j = try JobFixture()
        defer { j.remove() }
        try "tracking_number,campaign\nnot-a-number,X\n".write(toFile: j.data + "/bad.csv", atomically: true, encoding: .utf8)
        let steps = """
        [[steps]]
        command = "import-numbers"
        file = "data/bad.csv"

        [[steps]]
        command = "ingest"
        """
        let job = try j.writeJob("broken", steps)
        let stopped = try Support.callvault(["job", "run", job, "--format", "json"])
        #expect(stopped.status == 2)
        let s1 = try Support.field(try Support.jsonObject(stopped.stdout), "steps", as: [[String: Any]].self)
        #expect(s1[0]["exit_code"] as? Int == 2 && s1[1]["skipped"] as? Bool == true)
        #expect(stopped.stderr.contains("bad.csv:2: tracking_number"))
        let metrics = try String(contentsOfFile: j.data + "/metrics/broken.prom", encoding: .utf8)
        #expect(metrics.contains("callvault_last_run_success{job_name=\"broken\"} 0"))

        let continued = try Support.callvault(["job", "run", job, "--continue-on-error", "--format", "json", "--log-level", "error"])
        #expect(continued.status == 2, "the worst step is still the failed import")
        let s2 = try Support.field(try Support.jsonObject(continued.stdout), "steps", as: [[String: Any]].self)
        #expect(s2[1]["skipped"] as? Bool == false && s2[1]["exit_code"] as? Int == 3)
    }

    @Test("a job file with a mistake is refused with its line")
    func badJobFile() throws {
        let j = try JobFixture()
        defer { j.remove() }
        let job = try j.writeJob("typo", "[[steps]]\ncommand = \"ingset\"\n")
        let r = try Support.callvault(["job", "run", job])
        #expect(r.status == 2)
        #expect(r.stderr.contains("typo.toml:") && r.stderr.contains("command must be one of"), "\(r.stderr)")
    }

    @Test("jobs/demo.toml imports the registry, the directory, the website's sessions and call-backs: every sample call attributed; a second run changes nothing")
    func demoJobAttributesEverything() throws {
        let j = try JobFixture(items: JobFixture.demoItems)
        defer { j.remove() }
        // The demo job file itself, beside data/ as in the repository (its paths are ../data/…).
        let jobs = j.root.appendingPathComponent("jobs").path
        try FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Support.packageRoot.appendingPathComponent("jobs/demo.toml").path, toPath: jobs + "/demo.toml")
        let first = try Support.callvault(["job", "run", jobs + "/demo.toml", "--format", "json"])
        #expect(first.status == 3, "\(first.stderr)")
        let steps = try Support.field(try Support.jsonObject(first.stdout), "steps", as: [[String: Any]].self)
        #expect(try steps.map { try Support.field($0, "name", as: String.self) }
                == ["import-numbers", "import-directory", "import-sessions", "import-callbacks", "ingest", "relink", "retention", "verify", "daily-report"])
        #expect(try steps.map { try Support.field($0, "exit_code", as: Int.self) } == [0, 0, 0, 0, 3, 0, 0, 0, 0])
        // Each import's own line, logged with its step.
        for line in ["data/registry.csv: 6 rows (6 new, 0 removed); 0 calls re-linked", "data/directory.csv: 3 entries (3 new, 0 changed, 0 removed)",
                     "data/sessions.jsonl: 3 sessions (3 new, 0 changed); 0 calls re-linked", "data/callbacks.csv: 3 requests (3 new, 0 changed); 0 calls re-linked",
                     "output=0 calls re-linked"] {
            #expect(first.stderr.contains(line), "\(line)\n\(first.stderr)")
        }

        // Every archived sample call by its attribution and caller directory entry, from query --format json.
        let query = try Support.callvault(["query", "--config", j.data + "/callvault.toml", "--format", "json", "--limit", "0"])
        try #require(query.status == 0, "\(query.stderr)")
        var method: [String: String] = [:], reference: [String: String] = [:], name: [String: String] = [:]
        for record in try Support.jsonArray(query.stdout) {
            let id = try Support.field(record, "call_id", as: String.self)
            let attribution = try Support.field(record, "attribution", as: [String: Any].self)
            method[id] = try Support.field(attribution, "method", as: String.self)
            reference[id] = (attribution["session_id"] as? String) ?? (attribution["request_id"] as? String)
            name[id] = (record["caller_directory"] as? [String: Any])?["name"] as? String
            #expect(record.keys.contains("caller_directory"))
        }
        #expect(method.count == 16)
        let byNumber = ["101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112"]
        #expect(byNumber.allSatisfy { n in method.first { $0.key.hasSuffix(".\(n)") }?.value == "number" }, "\(method)")
        #expect(method["1764957600.115"] == "pool-session" && reference["1764957600.115"] == "ws-7f3a")
        #expect(method["1764961200.116"] == "pool-fallback" && reference["1764961200.116"] == nil)
        #expect(method["1764964800.117"] == "callback" && reference["1764964800.117"] == "cb-1001", "by its callback_request_id")
        #expect(method["1764968400.118"] == "callback" && reference["1764968400.118"] == "cb-1002", "by the number it dialled, 19 min after the request")
        #expect(name.filter { $0.value == "Dana Whitfield" }.keys.sorted() == ["1764338400.101", "1764784800.105"])
        #expect(name.filter { $0.value == "Luis Ortega" }.keys.sorted() == ["1764900000.107", "1764918000.109", "1764932400.111"])
        #expect(name["1764612000.103"] == "Priya Raman" && name.count == 6)
        // The records as stored: the pool session's utm fields are the call's campaign, source and medium.
        #expect(try j.sql("SELECT campaign, source, medium FROM calls WHERE call_id = '1764957600.115'") == [["Winter-Heating", "google", "cpc"]])

        // The same job again: every import recognises its file, nothing is re-linked, no record changes.
        let snapshot = """
            SELECT call_id, campaign, source, medium, attribution, sha256 FROM calls ORDER BY call_id;
            SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;
            SELECT count(*) FROM web_sessions; SELECT count(*) FROM callback_requests; SELECT count(*) FROM caller_directory
            """
        let before = try j.sql(snapshot)
        let second = try Support.callvault(["job", "run", jobs + "/demo.toml", "--format", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        for line in ["data/registry.csv: 6 rows, registry unchanged", "data/directory.csv: 3 entries, directory unchanged",
                     "data/sessions.jsonl: 3 sessions, nothing changed", "data/callbacks.csv: 3 requests, nothing changed", "output=0 calls re-linked"] {
            #expect(second.stderr.contains(line), "\(line)\n\(second.stderr)")
        }
        #expect(try j.sql(snapshot) == before)
    }
}
