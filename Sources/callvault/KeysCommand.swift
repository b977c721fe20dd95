import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultFiles
import CallVaultPostgres
import CallVaultStore
import Foundation

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys archive files are encrypted to.",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Re-encrypt every encrypted archive file (ID.opus.age) to new recipients.",
            discussion: """
            Each file is decrypted with the old identity and encrypted to the --to recipients as it is \
            written, through the archive's atomic path (temporary file, fsync, index, rename); its Opus \
            must still have the recorded opus_sha256. Killed at any point, a rerun with the same \
            arguments finishes the work: files already rotated (the old identity no longer opens them) \
            are counted as skipped. One keys_rotated audit entry per run carries the counts. Set \
            [encryption] recipients to the new keys first, so new calls are encrypted to them too.

            Exit status: 0 every encrypted file rotated or skipped; 4 some could not be (listed).

            Example:
              age-keygen -o new.txt
              callvault keys rotate --to age1new… --identity old.txt --config callvault.toml
            """)

        @OptionGroup var store: StoreOptions
        @Option(help: "A new age1… recipient (repeat for several).") var to: [String] = []
        @Option(help: "The identity file the archive is encrypted to now (mode 0600).") var identity: String
        @Option(help: "Who runs the rotation, for the audit entry (default: the OS user).") var by: String?
        @Option(help: "table or json.") var format: OutputFormat = .table

        func validate() throws {
            if to.isEmpty { throw ValidationError("give at least one --to age1… recipient") }
        }

        func run() async throws {
            let recipients: [AgeRecipient]
            do { recipients = try to.map { try AgeRecipient($0) } } catch let error as AgeError {
                throw CLIError.input("--to: \(error.message)")
            }
            let identities = try loadIdentityFile(identity)
            let user = by ?? AuditLog.osUser
            let report: KeyRotation.Report
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                // The same rotation over PostgreSQL's index (PostgresKeyRotationIndex), on a thread of its own.
                report = try await PostgresBackend.withIndex(url, config: r.config) { index in
                    try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { archive in
                        try Self.rotate(KeyRotation(source: PostgresKeyRotationIndex(index: index), archiveRoot: archive),
                                        to: recipients, identities: identities, by: user)
                    }
                }
            } else {
                let (index, archive) = try store.openIndex(checkArchive: true)
                report = try Self.rotate(KeyRotation(index: index, archiveRoot: archive), to: recipients, identities: identities, by: user)
            }
            try SummaryOutput.print(report, json: format == .json) {
                ["rotated \(report.rotated) files; skipped \(report.skipped) (not opened by the old identity: already rotated); \(report.plain) plain files left as they are"]
                    + report.failed.map { "  failed: \($0)" }
            }
            if !report.failed.isEmpty { throw ExitCode(4) }
        }

        /// Runs `rotation`; a file system error stops it (exit 1) with what to do.
        private static func rotate(_ rotation: KeyRotation, to recipients: [AgeRecipient], identities: [AgeIdentity],
                                   by user: String) throws -> KeyRotation.Report {
            do {
                return try rotation.run(to: recipients, identities: identities, by: user)
            } catch let error as FileSystemError {
                throw CLIError.fatal("keys rotate stopped: \(error.description); rerun it once the cause is fixed")
            }
        }
    }
}
