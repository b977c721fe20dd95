import CallVaultCore
import CallVaultSettings

/// Runs one typed step of a job file for ``JobRunner``.
///
/// The CLI implements it by starting its own subcommand for the step (it alone knows its command
/// line); tests implement it with canned outcomes to check the runner's order and statuses.
public protocol JobStepExecutor: Sendable {
    /// Runs `step`; returns its exit status (the CLI's documented codes: 0, 1, 2, 3, 4) and what it
    /// printed on stdout (a JSON object for the steps that report counts). `today` (YYYY-MM-DD)
    /// dates report files.
    func execute(_ step: JobStepKind, today: String) async -> (exitCode: Int32, stdout: String)
}
