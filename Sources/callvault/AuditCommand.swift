import ArgumentParser
import CallVaultCore
import CallVaultStore
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The append-only audit log of deletions, holds, policy changes and verify failures.",
        subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print audit entries.",
            discussion: """
            Each entry: seq, at, action (audio_deleted, record_deleted, hold_added, hold_removed, \
            policy_set, policy_changed, verify_failed), ids, reason, sha256 (of the file concerned), \
            version, os_user, details, prev_hash and hash (the chain `verify` checks).

            Example:
              callvault audit list --since 2026-11-01 --format csv > audit.csv
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "Entries at or after T.") var since: String?
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() throws {
            let (index, _) = try store.openIndex(readOnly: true)
            let start = try since.map { try TimeBounds.start($0, zone: TimeZone(identifier: "UTC")!, option: "--since") }
            let entries = try AuditLog(index: index).entries(since: start)
            switch format {
            case .json: print(try JSONOutput.string(entries))
            case .csv:
                print(CSVWriter.line(["seq", "at", "action", "ids", "reason", "sha256", "version", "os_user", "details", "prev_hash", "hash"]))
                for e in entries {
                    let details = e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                    print(CSVWriter.line(["\(e.seq)", e.at, e.action, e.ids.joined(separator: " "), e.reason, e.sha256, e.version,
                                          e.osUser, details, e.prevHash, e.hash]))
                }
            case .table:
                var t = TextTable(columns: ["seq", "at", "action", "ids", "user", "reason"])
                for e in entries {
                    let ids = e.ids.count > 2 ? "\(e.ids.prefix(2).joined(separator: " ")) +\(e.ids.count - 2)" : e.ids.joined(separator: " ")
                    t.add(["\(e.seq)", e.at, e.action, ids, e.osUser, e.reason])
                }
                print(t.render())
            }
        }
    }
}
