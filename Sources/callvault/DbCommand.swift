import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import Foundation

struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Maintenance of the index itself.",
        subcommands: [RebuildAggregates.self, Migrate.self, Upgrade.self])

    struct Upgrade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Bring the index up to this version's schema now, and say what was applied.",
            discussion: """
            `run` and the other commands that change the index apply this version's schema changes when \
            they open it. Reports, `query` and `export` open a SQLite index read-only and leave it as it \
            is: where an aggregate they need is not there yet they read every call instead (the same \
            numbers, slower; at 10 million calls a year's summary takes a minute instead of 0.2 s). Run \
            this once after installing a new version, at a time of your choosing (v18-dead-air-counts \
            took 6 s on a 10M-call index). On PostgreSQL every command applies the changes when it \
            connects (pg-v12-dead-air-counts: 25 s at 10M calls, writers and reports held off \
            meanwhile); this does the same and says where the index stands.

            Example:
              callvault db upgrade --db data/callvault.sqlite
            """)

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let r = try store.resolved()
            let start = Date()
            let applied: [String], after: [String]
            if let url = try PostgresBackend.url(r.database) {
                (applied, after) = try await PostgresBackend.withIndex(url, config: r.config, migrating: false) { index in
                    let migrator = PostgresMigrator(index: index)
                    return (try await migrator.migrate(), try await migrator.appliedMigrations())
                }
            } else {
                let before: [String]
                do { before = FileManager.default.fileExists(atPath: r.database) ? try CallIndex(path: r.database, readOnly: true).appliedMigrations() : [] }
                catch let e as IndexError { throw CLIError(e) }
                let (index, _) = try store.openIndex()
                after = try index.appliedMigrations()
                applied = after.filter { !before.contains($0) }
            }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
            print(applied.isEmpty ? "the index is up to date (\(after.last ?? "no schema"))"
                  : "applied \(applied.joined(separator: ", ")) in \(seconds) s; the index is at \(after.last ?? "?")")
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Move a SQLite index to PostgreSQL: calls, registry, holds, users, the audit chain.",
            discussion: """
            Copies the registry, holds, users, the caller directory, the website's sessions and \
            call-back requests, calls and the audit log (the same entries, times and \
            hashes: the chain checks out on PostgreSQL) and the index's id and archive root, so the \
            archive's marker names the moved index. Rows go in batches by key, one transaction \
            each; rows already there are skipped, so a copy that was killed is run again to finish. \
            At the end the counts are compared and the audit chain is verified on PostgreSQL. The \
            queue, login sessions and report aggregates are not moved. Stop the workers first; the \
            PostgreSQL database should be empty (an index with calls of another index is refused).

            Example:
              callvault db migrate --from data/callvault.sqlite \\
                  --to postgres://callvault@db.example.net/calls --config callvault.toml
            """)

        @Option(help: "The SQLite index to copy.") var from: String
        @Option(help: "The PostgreSQL index: postgres://USER@HOST[:PORT]/DB[?sslmode=MODE].") var to: String
        @Option(help: "TOML config file, for its password_file (else PGPASSWORD or ~/.pgpass).") var config: String?
        @Option(help: "Rows per transaction.") var batch: Int = 500
        @Option(help: "The report as text or json.") var format: SummaryFormat = .text

        func validate() throws {
            if batch < 1 || batch > 100_000 { throw ValidationError("--batch must be between 1 and 100000") }
            if PostgresURL.looksLikeURL(from) { throw ValidationError("--from is the SQLite index (a file), not a URL") }
        }

        func run() async throws {
            guard let url = try PostgresBackend.url(to) else { throw CLIError.input("--to must be a postgres:// URL, not \(to.debugDescription)") }
            guard FileManager.default.fileExists(atPath: from) else { throw CLIError.input("--from \(from): no such SQLite index") }
            let source: CallIndex
            do { source = try CallIndex(path: from, readOnly: true) } catch let e as IndexError { throw CLIError(e) }
            let report = try await PostgresBackend.withIndex(url, config: try loadConfigFile(config)) { index in
                try await PostgresIndexMigration(source: source, target: index).run(batch: batch)
            }
            try SummaryOutput.print(report, json: format == .json) {
                IndexTable.allCases.map { t in
                    "\(t.rawValue): \(report.tables[t.rawValue] ?? 0) on PostgreSQL (\(report.copied[t.rawValue] ?? 0) copied now)"
                } + ["audit chain verified" + (report.auditHead.map { " up to \($0)" } ?? " (empty)") + "; index \(report.indexID ?? "?")"]
            }
        }
    }

    struct RebuildAggregates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild-aggregates",
            abstract: "Recompute the report aggregates from the calls alone.",
            discussion: """
            Reports read per-quarter and per-day aggregates that triggers keep up to date with every \
            change to the calls (on SQLite and on PostgreSQL). This empties and refills every derived table (report_quarters, \
            report_campaign_quarters, report_first_calls, report_area_quarters, the per-day \
            report_number_days and report_area_days with their keys, and report_caller_packs, which callers called \
            in each quarter, packed afresh) from the calls rows, in \
            one transaction: interrupted, the index keeps the tables it had. `callvault verify` \
            compares a sample of the aggregates with the calls.

            On PostgreSQL the calls are locked against writes while the tables are refilled \
            (reads and reports go on), and the tables are vacuumed after the commit.

            Example:
              callvault db rebuild-aggregates --db data/callvault.sqlite
            """)

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                let start = Date()
                let calls = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresAggregates(index: $0).rebuild() }
                print("rebuilt the report aggregates from \(calls) calls in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
                return
            }
            let (index, _) = try store.openIndex()
            let start = Date()
            let calls = try ReportAggregates.rebuild(index)
            print("rebuilt the report aggregates from \(calls) calls in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}
