import CallVaultCore
import CallVaultSettings
import CallVaultWorker
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// Canned outcomes per step kind; records what it was asked to run.
private final class CannedExecutor: JobStepExecutor {
    let outcomes: @Sendable (JobStepKind) -> (exitCode: Int32, stdout: String)
    let ran = Mutex<[JobStepKind]>([])
    init(_ outcomes: @escaping @Sendable (JobStepKind) -> (exitCode: Int32, stdout: String)) { self.outcomes = outcomes }

    func execute(_ step: JobStepKind, today: String) async -> (exitCode: Int32, stdout: String) {
        ran.withLock { $0.append(step) }
        return outcomes(step)
    }
}

@Suite("job files: typed steps and the runner")
struct JobRunnerTests {
    static let nightly = """
    config = "callvault.toml"

    [settings]
    database = "data/callvault.sqlite"

    [[steps]]
    command = "import-numbers"
    file = "registry.csv"

    [[steps]]
    command = "ingest"
    workers = 2

    [[steps]]
    command = "relink"

    [[steps]]
    command = "retention"
    dry_run = true

    [[steps]]
    command = "verify"
    sample = 5

    [[steps]]
    name = "daily-report"
    command = "report"
    report = "summary"
    by = "day"
    tz = "Europe/London"
    since_days = 1
    output_dir = "reports"
    """

    static func job() throws -> JobFile {
        try JobFile.parse(text: nightly, file: "/jobs/nightly.toml", name: "nightly", baseFolder: "/jobs")
    }

    @Test("each [[steps]] table becomes a typed step with its options; paths are relative to the job file")
    func typedSteps() throws {
        let job = try Self.job()
        #expect(job.database == "/jobs/data/callvault.sqlite")
        #expect(job.steps.map(\.kind) == [
            .importNumbers(file: "/jobs/registry.csv"), .ingest(workers: 2), .relink, .retention(dryRun: true), .verify(sample: 5),
            .report(JobReport(report: "summary", by: "day", timeZone: "Europe/London", sinceDays: 1, outputDir: "/jobs/reports")),
        ])
        #expect(job.steps.map(\.name) == ["import-numbers", "ingest", "relink", "retention", "verify", "daily-report"])
    }

    /// The three import steps of the website's flow, each with its file.
    static let webImports = """
    [[steps]]
    command = "import-directory"
    file = "data/directory.csv"

    [[steps]]
    name = "sessions"
    command = "import-sessions"
    file = "/srv/web/sessions.jsonl"

    [[steps]]
    command = "import-callbacks"
    file = "data/callbacks.csv"
    """

    @Test("import-directory, import-sessions and import-callbacks take a file, relative to the job file; without one the step is refused")
    func importSteps() throws {
        let job = try JobFile.parse(text: Self.webImports, file: "/jobs/web.toml", name: "web", baseFolder: "/jobs")
        #expect(job.steps.map(\.kind) == [
            .importDirectory(file: "/jobs/data/directory.csv"), .importSessions(file: "/srv/web/sessions.jsonl"),
            .importCallbacks(file: "/jobs/data/callbacks.csv"),
        ])
        #expect(job.steps.map(\.name) == ["import-directory", "sessions", "import-callbacks"])
        #expect(job.steps.map(\.command) == ["import-directory", "import-sessions", "import-callbacks"])
        for command in ["import-directory", "import-sessions", "import-callbacks"] {
            let error = try #require(throws: ConfigError.self) {
                try JobFile.parse(text: "[[steps]]\ncommand = \"\(command)\"\n", file: "/jobs/bad.toml", name: "bad", baseFolder: "/jobs")
            }
            #expect(error.description == "/jobs/bad.toml:1: step \(command): \(command) needs file", "\(error)")
            let typo = try #require(throws: ConfigError.self) {
                try JobFile.parse(text: "[[steps]]\ncommand = \"\(command)\"\nfile = \"x.csv\"\ntz = \"UTC\"\n", file: "/jobs/bad.toml", name: "bad",
                                  baseFolder: "/jobs")
            }
            #expect(typo.description.contains("tz"), "\(typo)")
        }
    }

    @Test("a step's line of text (an import's counts) is logged with its outcome; a JSON result as its counts")
    func stepOutputLogged() async throws {
        let job = try JobFile.parse(text: Self.webImports, file: "/jobs/web.toml", name: "web", baseFolder: "/jobs")
        let executor = CannedExecutor { kind in
            switch kind {
            case .importSessions: (0, "/srv/web/sessions.jsonl: 3 sessions (3 new, 0 changed); 1 calls re-linked\n")
            case .importCallbacks: (2, "")
            default: (0, "")
            }
        }
        let handler = InMemoryLogHandler()
        let result = await JobRunner(job: job, executor: executor, logger: Logger(label: "callvault.test") { _ in handler }).run(today: "2026-11-28")
        #expect(result.exitCode == 2)
        #expect(result.steps.map(\.output) == [nil, nil, nil], "text is not a JSON result")
        let finished = handler.entries.filter { $0.message.description == "step finished" }
        #expect(finished.map { $0.metadata["step"]?.description } == ["import-directory", "sessions"])
        #expect(finished[0].metadata["output"] == nil)
        #expect(finished[1].metadata["output"]?.description == "/srv/web/sessions.jsonl: 3 sessions (3 new, 0 changed); 1 calls re-linked")
        let failed = try #require(handler.entries.first { $0.message.description == "step failed" })
        #expect(failed.level == .error && failed.metadata["step"]?.description == "import-callbacks")
    }

    @Test("a report file is named after the report, its grouping and the day", arguments: [
        (JobReport(report: "summary", by: "day", outputDir: "/r"), "/r/summary-by-day-2026-11-28.html"),
        (JobReport(report: "missed", format: "csv", outputDir: "/r"), "/r/missed-2026-11-28.csv"),
    ])
    func reportPath(report: JobReport, path: String) {
        #expect(report.outputPath(today: "2026-11-28") == path)
    }

    @Test("steps run in order; the job's status is the worst step's; the ingest summary is kept")
    func worstStatus() async throws {
        let executor = CannedExecutor { kind in
            switch kind {
            case .ingest: (3, #"{"archived": 12, "failed": 2, "duplicates": 0, "deferred": 0, "audio_ms": 0, "bytes_in": 0, "bytes_out": 0, "wall_seconds": 1}"#)
            case .verify: (0, #"{"clean": true}"#)
            default: (0, "imported\n")
            }
        }
        let result = await JobRunner(job: try Self.job(), executor: executor, logger: Logger(label: "callvault.test")).run(today: "2026-11-28")
        #expect(executor.ran.withLock { $0 } == (try Self.job()).steps.map(\.kind))
        #expect(result.exitCode == 3)
        #expect(result.steps.map(\.exitCode) == [0, 3, 0, 0, 0, 0])
        #expect(result.ingest?.archived == 12)
        #expect(result.steps[0].output == nil, "plain text is not a JSON result")
        #expect(result.steps[4].output == #"{"clean": true}"#)
    }

    @Test("a step failing with other than 0 or 3 stops the rest, unless continueOnError; 1 outranks 4 and 2")
    func failureStops() async throws {
        let outcomes: @Sendable (JobStepKind) -> (exitCode: Int32, stdout: String) = { kind in
            switch kind {
            case .relink: (2, "")
            case .verify: (4, "")
            case .report: (1, "")
            default: (0, "")
            }
        }
        let stopped = await JobRunner(job: try Self.job(), executor: CannedExecutor(outcomes), logger: Logger(label: "callvault.test"))
            .run(today: "2026-11-28")
        #expect(stopped.exitCode == 2)
        #expect(stopped.steps.map(\.skipped) == [false, false, false, true, true, true])

        var runner = JobRunner(job: try Self.job(), executor: CannedExecutor(outcomes), logger: Logger(label: "callvault.test"))
        runner.continueOnError = true
        let continued = await runner.run(today: "2026-11-28")
        #expect(continued.steps.allSatisfy { !$0.skipped })
        #expect(continued.exitCode == 1)
    }
}
