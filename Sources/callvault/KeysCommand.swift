import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultFiles
import CallVaultStore
import Foundation

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys archive files are encrypted to.",
        subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
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

        func run() throws {
            let recipients: [AgeRecipient]
            do { recipients = try to.map { try AgeRecipient($0) } } catch let error as AgeError {
                throw CLIError.input("--to: \(error.message)")
            }
            let identities = try loadIdentityFile(identity)
            let (index, archive) = try store.openIndex(checkArchive: true)
            let report: KeyRotation.Report
            do {
                report = try KeyRotation(index: index, archiveRoot: archive).run(to: recipients, identities: identities, by: by ?? AuditLog.osUser)
            } catch let error as FileSystemError {
                throw CLIError.fatal("keys rotate stopped: \(error.description); rerun it once the cause is fixed")
            }
            try SummaryOutput.print(report, json: format == .json) {
                ["rotated \(report.rotated) files; skipped \(report.skipped) (not opened by the old identity: already rotated); \(report.plain) plain files left as they are"]
                    + report.failed.map { "  failed: \($0)" }
            }
            if !report.failed.isEmpty { throw ExitCode(4) }
        }
    }
}
