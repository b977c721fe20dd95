import ArgumentParser
import CallVaultCore
import CallVaultSettings
import CallVaultWorker
import Foundation
import Logging

struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Run a batch of steps from a job file, for cron, systemd timers and Kubernetes CronJobs.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run jobs/NAME.toml: its steps in order, under a lock, with metrics.",
            discussion: """
            A job file names a shared config and its steps (ingest, import-numbers, import-directory, \
            import-sessions, import-callbacks, relink, retention, verify, report); see jobs/nightly.toml \
            and jobs/demo.toml. Each step runs as its own callvault command: import-numbers, \
            import-directory, import-sessions and import-callbacks (each with file = "PATH", relative to \
            the job file) are `numbers import`, `directory import`, `web import-sessions` and `web \
            import-callbacks`, with their checks, exit statuses and "nothing changed" on the same file \
            again. Each step's outcome, duration and counts (or its line of text) are logged. The job's exit status is the \
            worst of its steps (1 > 2 > 4 > 3 > 0); a step failing with anything but 0 or 3 stops \
            the rest unless --continue-on-error. An advisory lock beside the database keeps two \
            runs of the same job from overlapping: --no-wait (default) exits 5 with a message, \
            --wait waits for the other run to finish (logging who holds the lock every 30 s; with \
            --wait-timeout S it gives up after S seconds, exit 5). A step dies with its job: a \
            kill -9 of `job run` kills the step it is running, so the lock never outlives the work. \
            On a PostgreSQL index (database = "postgres://…") the steps run on it (a report step is \
            refused there for now, exit 2) and the lock is this machine's (in its temporary folder): \
            schedule a job on one machine.

            Examples:
              callvault job run jobs/nightly.toml \\
                  --metrics-file /var/lib/node_exporter/callvault.prom
              callvault job run jobs/hourly-ingest.toml --wait
            """)

        @Argument(help: "The job file (TOML).") var file: String
        @Flag(inversion: .prefixedNo, help: "Wait for another run of this job to finish instead of exiting 5.") var wait = false
        @Option(help: "With --wait, give up (exit 5) after this many seconds; it logs who holds the lock every 30 s meanwhile.") var waitTimeout: Double?
        @Flag(help: "Run the remaining steps after a failed one.") var continueOnError = false
        @Option(help: "Write Prometheus metrics here (default: the job file's metrics_file).") var metricsFile: String?
        @OptionGroup var log: LogOptions
        @Option(help: "Result as text or json on stdout.") var format: SummaryFormat = .text

        func validate() throws {
            if waitTimeout != nil && !wait { throw ValidationError("--wait-timeout applies only with --wait") }
            if let t = waitTimeout, !(t >= 0 && t <= 604_800) { throw ValidationError("--wait-timeout must be between 0 and 604800 seconds") }
        }

        func run() async throws {
            log.bootstrap()
            let job: JobFile
            do { job = try JobFile.load(path: file) } catch let e as ConfigError { throw CLIError.input(e.description) }
            let config: Config
            do { config = try job.config.map { try Config.load(path: $0) } ?? Config() } catch let e as ConfigError {
                // A job that cannot start still says so in its metrics file.
                if let path = metricsFile ?? job.metricsFile {
                    try? MetricsFile(path: path).write(summary: nil, succeeded: false, job: job.name)
                }
                throw CLIError.input(e.description)
            }
            let cwd = FileManager.default.currentDirectoryPath
            let database = job.database ?? config.database ?? cwd + "/" + Settings.Defaults.database
            if let refusal = PostgresNotYet.refusal(database, what: "database") { throw refusal }
            // On PostgreSQL the lock lives in this machine's temporary folder, beside run's lease lock.
            let postgres = try PostgresBackend.url(database)
            let lockBase = postgres.map(PostgresBackend.leaseFolder) ?? database
            var store: [String] = []
            if let c = job.config { store += ["--config", c] }
            if let s = job.spool { store += ["--spool", s] }
            if let a = job.archive { store += ["--archive", a] }
            store += ["--db", database]
            if postgres == nil, !FileManager.default.fileExists(atPath: (database as NSString).deletingLastPathComponent) {
                throw CLIError.input("the database folder \((database as NSString).deletingLastPathComponent) does not exist")
            }
            let lock: JobLock?
            let waitLogger = Logger(label: "callvault.job")
            do {
                lock = try JobLock(databasePath: lockBase, job: job.name, wait: wait, timeout: waitTimeout) { holder, seconds in
                    waitLogger.notice("waiting for the job lock", metadata: [
                        "job": "\(job.name)", "held_by_pid": "\(holder ?? "unknown")", "waited_s": "\(Int(seconds))"])
                }
            } catch let e as WorkerError {
                throw CLIError.input(e.description)
            }
            guard let lock else {
                let holder = JobLock.holder(databasePath: lockBase, job: job.name).map { " (pid \($0))" } ?? ""
                let message = wait
                    ? "job \(job.name.debugDescription) is still running\(holder) after --wait-timeout \(Int(waitTimeout ?? 0)) s; not starting a second run"
                    : "job \(job.name.debugDescription) is already running\(holder); not starting a second run (use --wait to wait for it)"
                FileHandle.standardError.write(Data("callvault: \(message)\n".utf8))
                throw ExitCode(5)
            }
            defer { _ = lock }
            let logger = Logger(label: "callvault.job")
            logger.info("job started", metadata: ["job": "\(job.name)", "steps": "\(job.steps.count)", "lock": "\(lock.path)"])
            let executor = SubcommandStepExecutor(executable: Self.executable, storeArguments: store,
                                                  logArguments: ["--log-format", log.logFormat.rawValue, "--log-level", log.logLevel], logger: logger)
            var runner = JobRunner(job: job, executor: executor, logger: logger)
            runner.continueOnError = continueOnError
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let result = await runner.run(today: formatter.string(from: Date()))
            if let path = metricsFile ?? job.metricsFile {
                try MetricsFile(path: path).write(summary: result.ingest, succeeded: result.exitCode == 0 || result.exitCode == 3, job: job.name,
                                                  steps: result.steps.filter { !$0.skipped }.map { .init(name: $0.name, exitCode: $0.exitCode, seconds: $0.seconds) })
            }
            try SummaryOutput.print(result, json: format == .json) {
                result.steps.map { s in
                    s.skipped ? "  \(s.name): skipped" : String(format: "  %@: exit %d in %.1f s", s.name, s.exitCode, s.seconds)
                } + ["job \(job.name): exit \(result.exitCode)"]
            }
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }

        /// This very binary, so steps run the same version.
        static var executable: String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }
    }
}
