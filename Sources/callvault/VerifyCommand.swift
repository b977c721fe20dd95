import ArgumentParser
import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the archive is intact: re-hash files, find orphans, check the audit chain.",
        discussion: """
        Re-hashes archive files against the SHA-256 in the index and reports missing files, altered \
        files, orphan files (on disk, not in the index), records whose audio was purged (and any \
        whose file is still there), and the first broken link of the audit log's hash chain. \
        Problems are appended to the audit log.

        Exit status: 0 clean, 4 anything wrong.

        Examples:
          callvault verify --sample 500 --format json     # nightly, for monitoring
          callvault verify --since 2026-11-01
        """)

    @OptionGroup var store: StoreOptions
    @Option(parsing: .unconditional, help: "Re-hash N random calls instead of all.") var sample: Int?
    @Option(help: "Only calls that started at or after T.") var since: String?
    @Option(help: "table (a readable report) or json; csv is refused (the report is not one table).") var format: OutputFormat = .table

    func validate() throws {
        if let sample, sample < 1 { throw ValidationError("--sample must be 1 or more (leave it out to verify every file)") }
    }

    func run() throws {
        if format == .csv {
            throw CLIError.input("verify --format csv is not supported: the report is not one table; use --format json (for scripts) or table")
        }
        let (index, archive) = try store.openIndex(checkArchive: true)
        let start = try since.map { try TimeBounds.start($0, zone: TimeZone(identifier: "UTC")!, option: "--since") }
        let report = try Verifier(index: index, archiveRoot: archive).run(sample: sample, since: start, now: Date())
        try SummaryOutput.print(report, json: format == .json) {
            var lines = ["verified \(report.checked) files; \(report.purged) records with purged audio; \(report.auditEntries) audit entries"]
            for (label, list) in [("missing file", report.missing), ("altered file", report.altered), ("orphan file", report.orphans),
                                  ("purged but still present", report.purgedButPresent)] {
                lines += list.map { "  \(label): \($0)" }
            }
            if let problem = report.auditProblem { lines.append("  audit chain broken: \(problem)") }
            lines += report.aggregateProblems.map { "  report aggregates: \($0) (callvault db rebuild-aggregates)" }
            lines += report.temporaryFiles.map { "  note: temporary file \($0): the only copy of a call may be in it; do not delete it by hand (the next `callvault run` puts it in place or removes it)" }
            lines.append(report.clean ? "clean" : "PROBLEMS FOUND")
            return lines
        }
        if !report.clean { throw ExitCode(4) }
    }
}
