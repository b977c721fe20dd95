import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultWorker
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the archive is intact: re-hash files, find orphans, check the audit chain.",
        discussion: """
        Re-hashes archive files against the SHA-256 in the index and reports missing files, altered \
        files, orphan files (on disk, not in the index), records whose audio was purged (and any \
        whose file is still there), and the first broken link of the audit log's hash chain. \
        Problems are appended to the audit log. With --decrypt each intact file's Ogg Opus is also \
        hashed against its opus_sha256, an encrypted file (ID.opus.age) decrypted with --identity \
        or [encryption] identity_file, streamed.

        Exit status: 0 clean, 4 anything wrong.

        Examples:
          callvault verify --sample 500 --format json     # nightly, for monitoring
          callvault verify --since 2026-11-01
          callvault verify --decrypt --identity key.txt
        """)

    @OptionGroup var store: StoreOptions
    @Option(parsing: .unconditional, help: "Re-hash N random calls instead of all.") var sample: Int?
    @Option(help: "Only calls that started at or after T.") var since: String?
    @Option(help: "table (a readable report) or json; csv is refused (the report is not one table).") var format: OutputFormat = .table
    @Flag(help: "Also hash each file's Opus plaintext against opus_sha256 (decrypting encrypted files).") var decrypt = false
    @Option(help: "Identity file for --decrypt (default: [encryption] identity_file; mode 0600).") var identity: String?

    func validate() throws {
        if let sample, sample < 1 { throw ValidationError("--sample must be 1 or more (leave it out to verify every file)") }
        if identity != nil && !decrypt { throw ValidationError("--identity is for --decrypt") }
    }

    func run() async throws {
        if format == .csv {
            throw CLIError.input("verify --format csv is not supported: the report is not one table; use --format json (for scripts) or table")
        }
        let start = try since.map { try TimeBounds.start($0, zone: TimeZone(identifier: "UTC")!, option: "--since") }
        var identities: [AgeIdentity]?
        if decrypt {
            let file = try identity ?? store.resolved().settings.encryption.identityFile
            identities = try file.map(loadIdentityFile) ?? []  // none: plain files still checked, encrypted ones listed
        }
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            let report = try await PostgresBackend.withIndex(url, config: r.config) { [identities, sample] index in
                try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { archive in
                    try Verifier(source: PostgresVerifySource(index: index), archiveRoot: archive)
                        .run(sample: sample, since: start, now: Date(), decryptWith: identities)
                }
            }
            try output(report)
            return
        }
        let (index, archive) = try store.openIndex(checkArchive: true)
        try output(try Verifier(index: index, archiveRoot: archive).run(sample: sample, since: start, now: Date(), decryptWith: identities))
    }

    /// The report as text or JSON; exit 4 when anything is wrong.
    private func output(_ report: Verifier.Report) throws {
        try SummaryOutput.print(report, json: format == .json) {
            var lines = ["verified \(report.checked) files; \(report.purged) records with purged audio; \(report.auditEntries) audit entries"]
            if let decrypted = report.decrypted { lines.append("decrypted and checked \(decrypted) Opus plaintexts against opus_sha256") }
            lines += report.plaintextFailed.map { "  plaintext failed: \($0)" }
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
