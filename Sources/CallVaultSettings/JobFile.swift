import Foundation
import CallVaultCore
import CallVaultTOML

/// A nightly batch: steps run in order, each one of callvault's commands with its options
/// (``JobStepKind``).
///
/// ```toml
/// config = "../samples/callvault.toml"   # shared settings; relative to this file
/// metrics_file = "../data/metrics/nightly.prom"
///
/// [settings]                             # override the config's paths
/// database = "../data/callvault.sqlite"
///
/// [[steps]]
/// command = "ingest"                     # callvault run --once
/// workers = 2
///
/// [[steps]]
/// command = "report"
/// report = "summary"
/// by = "day"
/// format = "html"
/// output_dir = "../data/reports"         # writes summary-YYYY-MM-DD.html
/// ```
public struct JobFile: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var name: String
        public var command: String
        /// What the step does, with its options.
        public var kind: JobStepKind
    }

    public var name: String
    public var config: String?
    public var metricsFile: String?
    public var spool: String?
    public var archive: String?
    public var database: String?
    public var steps: [Step]

    public static let commands = ["ingest", "import-numbers", "import-directory", "import-sessions", "import-callbacks",
                                  "relink", "retention", "verify", "report"]

    public static func load(path: String) throws -> JobFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: nil, "cannot read the job file (\((error as NSError).localizedDescription))")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text: text, file: path, name: name, baseFolder: base)
    }

    public static func parse(text: String, file: String, name: String, baseFolder: String) throws -> JobFile {
        let r = try TOMLReader(text: text, file: file)
        try r.checkKeys(r.root, allowed: ["config", "metrics_file", "settings", "steps", "name"], section: nil)
        func path(_ value: String?) -> String? { value.map { $0.hasPrefix("/") ? $0 : baseFolder + "/" + $0 } }
        var job = JobFile(name: try r.string(r.root, "name") ?? name,
                          config: path(try r.string(r.root, "config")),
                          metricsFile: path(try r.string(r.root, "metrics_file")), steps: [])
        if let settings = try r.table(r.root, "settings") {
            try r.checkKeys(settings, allowed: ["spool", "archive", "database"], section: "settings")
            job.spool = path(try r.string(settings, "spool"))
            job.archive = path(try r.string(settings, "archive"))
            // A postgres:// URL stays as written (never a file name); `job run` refuses it until
            // commands run on PostgreSQL (issue 20).
            job.database = try r.string(settings, "database").map { PostgresURL.looksLikeURL($0) ? $0 : path($0) ?? $0 }
        }
        guard let steps = r.root["steps"]?.array, !steps.isEmpty else {
            throw ConfigError(file: file, line: nil, "the job has no steps: add [[steps]] tables with a command (\(commands.joined(separator: ", ")))")
        }
        let section = "steps"
        for (i, value) in steps.enumerated() {
            guard let t = value.table else { throw ConfigError(file: file, line: value.line, "steps must be tables ([[steps]])") }
            guard let command = try r.string(t, "command"), commands.contains(command) else {
                throw r.error("step \(i + 1): command must be one of \(commands.joined(separator: ", "))", key: "command", in: t)
            }
            let stepName = try r.string(t, "name") ?? command
            let kind: JobStepKind
            switch command {
            case "ingest":
                try r.checkKeys(t, allowed: ["command", "name", "workers"], section: section)
                kind = .ingest(workers: try r.int(t, "workers", range: 1...256))
            case "import-numbers", "import-directory", "import-sessions", "import-callbacks":
                try r.checkKeys(t, allowed: ["command", "name", "file"], section: section)
                guard let f = try r.string(t, "file") else { throw r.error("step \(stepName): \(command) needs file", in: t) }
                let file = path(f)!
                switch command {
                case "import-numbers": kind = .importNumbers(file: file)
                case "import-directory": kind = .importDirectory(file: file)
                case "import-sessions": kind = .importSessions(file: file)
                default: kind = .importCallbacks(file: file)
                }
            case "relink":
                try r.checkKeys(t, allowed: ["command", "name"], section: section)
                kind = .relink
            case "retention":
                try r.checkKeys(t, allowed: ["command", "name", "dry_run"], section: section)
                kind = .retention(dryRun: try r.bool(t, "dry_run") == true)
            case "verify":
                try r.checkKeys(t, allowed: ["command", "name", "sample"], section: section)
                kind = .verify(sample: try r.int(t, "sample", range: 1...100_000_000))
            default: // report
                try r.checkKeys(t, allowed: ["command", "name", "report", "by", "format", "output_dir", "tz", "since_days", "campaign", "unreturned"],
                                section: section)
                let report = try r.string(t, "report") ?? "summary"
                let reports = ["summary", "missed", "callers", "area-codes", "hours", "dead-air"]
                guard reports.contains(report) else {
                    throw r.error("step \(stepName): report must be one of \(reports.joined(separator: ", "))", key: "report", in: t)
                }
                let by = try r.string(t, "by"), timeZone = try r.string(t, "tz"), campaign = try r.string(t, "campaign")
                let unreturned = try r.bool(t, "unreturned") == true
                let format = try r.string(t, "format") ?? "html"
                guard ["table", "csv", "json", "html"].contains(format) else {
                    throw r.error("step \(stepName): format must be table, csv, json or html", key: "format", in: t)
                }
                let sinceDays = try r.int(t, "since_days", range: 1...3660)
                guard let dir = try r.string(t, "output_dir") else {
                    throw r.error("step \(stepName): report needs output_dir", in: t)
                }
                kind = .report(JobReport(report: report, by: by, timeZone: timeZone, campaign: campaign, unreturned: unreturned,
                                         format: format, sinceDays: sinceDays, outputDir: path(dir)!))
            }
            job.steps.append(Step(name: stepName, command: command, kind: kind))
        }
        return job
    }
}
