import CallVaultCore
import CallVaultSettings
import CallVaultWorker
import Foundation
import Logging
import Subprocess
import SystemPackage

/// Runs a job's typed steps as this binary's own subcommands, through swift-subprocess: each step
/// in a process of its own (a crash or a leak stays in the step), with the job's store options,
/// its JSON result read from stdout and its stderr passed through. The step dies with the job
/// (``JobStep``): a kill -9 of `job run` leaves nothing running.
///
/// The one place that knows which subcommand and options a ``JobStepKind`` is.
struct SubcommandStepExecutor: JobStepExecutor {
    /// This very binary, so steps run the same version.
    let executable: String
    /// `--config`, `--spool`, `--archive`, `--db` for every step.
    let storeArguments: [String]
    /// `--log-format`/`--log-level` for the steps that log (ingest).
    let logArguments: [String]
    let logger: Logger

    func execute(_ step: JobStepKind, today: String) async -> (exitCode: Int32, stdout: String) {
        do {
            let result = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments(for: step, today: today)),
                environment: .inherit.updating([Environment.Key(stringLiteral: JobStep.environmentKey): "\(getpid())"]),
                output: .string(limit: 1 << 30), error: .currentStandardError)
            let stdout = result.standardOutput
            switch result.terminationStatus {
            case .exited(let code): return (code, stdout)
            case .signaled: return (1, stdout)
            }
        } catch {
            logger.error("cannot start step", metadata: ["error": "\(error)"])
            return (1, "")
        }
    }

    /// `callvault SUBCOMMAND …` for `step`: the JSON result where the command has one, then the store's options.
    func arguments(for step: JobStepKind, today: String) -> [String] {
        switch step {
        case .ingest(let workers):
            return ["run", "--once", "--format", "json"] + (workers.map { ["--workers", "\($0)"] } ?? []) + storeArguments + logArguments
        case .importNumbers(let file):
            return ["numbers", "import", file] + storeArguments
        case .importDirectory(let file):
            return ["directory", "import", file] + storeArguments
        case .importSessions(let file):
            return ["web", "import-sessions", file] + storeArguments
        case .importCallbacks(let file):
            return ["web", "import-callbacks", file] + storeArguments
        case .relink:
            return ["numbers", "relink"] + storeArguments
        case .retention(let dryRun):
            return ["retention", "apply", "--format", "json"] + (dryRun ? ["--dry-run"] : []) + storeArguments
        case .verify(let sample):
            return ["verify", "--format", "json"] + (sample.map { ["--sample", "\($0)"] } ?? []) + storeArguments
        case .report(let r):
            var arguments = ["report", r.report]
            if let by = r.by { arguments += ["--by", by] }
            if let tz = r.timeZone { arguments += ["--tz", tz] }
            if let campaign = r.campaign { arguments += ["--campaign", campaign] }
            if r.unreturned { arguments.append("--unreturned") }
            arguments += ["--format", r.format]
            if let days = r.sinceDays { arguments += ["--since-days", "\(days)"] }
            return arguments + storeArguments + ["--output", r.outputPath(today: today)]
        }
    }
}
