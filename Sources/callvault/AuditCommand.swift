import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The append-only audit log of deletions, holds, policy changes and verify failures.",
        subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Print audit entries.",
            discussion: """
            Each entry: seq, at, action (audio_deleted, record_deleted, hold_added, hold_removed, \
            policy_set, policy_changed, verify_failed, numbers_renormalised, directory_imported, redaction (DTMF \
            or requested spans silenced, card numbers replaced in a sidecar: counts and spans, never digits); from `erase`: audio_erased, \
            record_erased, erasure; from `serve`: access (a play, download or evidence export; also `export --bundle`), login, login_failed, login_locked, logout; user_added, user_removed, …), ids, reason, \
            sha256 (of the file concerned), \
            version, os_user, details, prev_hash and hash (the chain `verify` checks).

            Example:
              callvault audit list --since 2026-11-01 --format csv > audit.csv
              callvault audit list --action access --since 7d
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "Entries at or after T.") var since: String?
        @Option(help: "Only this action, e.g. access (who played or downloaded which call).") var action: String?
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let start = try since.map { try TimeBounds.start($0, zone: TimeZone(identifier: "UTC")!, option: "--since") }
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                let entries = try await PostgresBackend.withIndex(url, config: r.config) { index in
                    try await PostgresAuditLog(index: index).entries(since: start.map { Timestamp.format($0) }, action: action).map { AuditLog.Entry($0) }
                }
                try list(entries)
                return
            }
            let (index, _) = try store.openIndex(readOnly: true)
            try list(try AuditLog(index: index).entries(since: start, action: action))
        }

        /// The entries in `--format`: the same columns on either backend.
        private func list(_ entries: [AuditLog.Entry]) throws {
            try Listing(
                entries,
                table: [
                    .init("seq") { .text("\($0.seq)") }, .init("at") { .text($0.at) }, .init("action") { .text($0.action) },
                    .init("ids") { e in
                        .text(e.ids.count > 2 ? "\(e.ids.prefix(2).joined(separator: " ")) +\(e.ids.count - 2)" : e.ids.joined(separator: " "))
                    },
                    .init("user") { .text($0.details["by"] ?? $0.osUser) }, .init("reason") { .text($0.reason) },
                ],
                csv: [
                    .init("seq") { .text("\($0.seq)") }, .init("at") { .text($0.at) }, .init("action") { .text($0.action) },
                    .init("ids") { .text($0.ids.joined(separator: " ")) }, .init("reason") { .text($0.reason) },
                    .init("sha256") { .optional($0.sha256) }, .init("version") { .text($0.version) },
                    .init("os_user") { .text($0.osUser) },
                    .init("details") { e in .text(e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) },
                    .init("prev_hash") { .text($0.prevHash) }, .init("hash") { .text($0.hash) },
                ]).print(as: format)
        }
    }
}
