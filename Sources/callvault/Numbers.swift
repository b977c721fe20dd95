import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import Foundation

struct Numbers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "numbers",
        abstract: "The tracking-number registry: which campaign each number belonged to, and when.",
        subcommands: [Import.self, List.self, Unassigned.self, Relink.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Replace the registry with a CSV file and re-link every call.",
            discussion: """
            The CSV has a header: tracking_number,campaign,source,medium,valid_from,valid_to \
            (source, medium and the valid_* columns may be empty), and optionally pool: the name of \
            the website's number pool the number belongs to (dynamic number insertion; see `callvault \
            web import-sessions`), its campaign, source and medium then the pool's fallback. valid_from/valid_to are ISO dates \
            or timestamps (a date is midnight UTC, or in --tz); an empty one is open-ended. The \
            window is half-open: a call exactly at valid_to belongs to the number's next row. \
            One number may have several rows with disjoint windows (reassigned between campaigns); \
            overlapping windows are rejected with both line numbers.

            The file replaces the whole registry in one transaction: errors name FILE:LINE and the \
            field, and nothing of a bad file is applied. Importing the same file again changes nothing.

            Example:
              callvault numbers import samples/registry.csv --db data/callvault.sqlite
            """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The registry CSV.") var file: String
        @Option(help: "Time zone of dates without an offset (default UTC), e.g. America/New_York.") var tz: String = "UTC"

        func run() async throws {
            guard let zone = TimeZone(identifier: tz) else { throw ValidationError("--tz: unknown time zone \(tz)") }
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw CLIError.input("\(file): cannot read (\((error as NSError).localizedDescription))")
            }
            let config = try store.loadConfig()
            let countryCode = config.numberReading.countryCode
            // The same file, read the same way, as last time: nothing to parse, nothing changes.
            let fingerprint = Registry.fingerprint(text: text, countryCode: countryCode, timeZone: zone.identifier)
            func entries() throws -> [RegistryEntry] {
                do {
                    return try RegistryEntry.parse(csv: text, file: file, defaultCountryCode: countryCode, timeZone: zone)
                } catch let e as ConfigError { throw CLIError.input(e.description) }
            }
            let r = try store.resolved()
            let result: Registry.ImportResult?
            if let url = try PostgresBackend.url(r.database) {
                // The same steps and attribution rules on PostgreSQL (PostgresRegistry).
                let windows = Settings(config: config).attributionWindows
                result = try await PostgresBackend.withIndex(url, config: r.config) { index -> Registry.ImportResult? in
                    let registry = PostgresRegistry(index: index)
                    if try await registry.isImported(fingerprint: fingerprint) {
                        print("\(file): \(try await registry.rowCount()) rows, registry unchanged")
                        return nil
                    }
                    let result = try await registry.replace(with: try entries(), file: file, now: Date(), windows: windows)
                    try await registry.recordImport(fingerprint: fingerprint)
                    return result
                }
            } else {
                let (index, _) = try store.openIndex()
                let registry = Registry(index: index)
                if try registry.isImported(fingerprint: fingerprint) {
                    print("\(file): \(try registry.rowCount()) rows, registry unchanged")
                    return
                }
                result = try registry.replace(with: try entries(), file: file, now: Date(), windows: Settings(config: config).attributionWindows)
                try registry.recordImport(fingerprint: fingerprint)
            }
            guard let result else { return }
            if result.unchanged {
                print("\(file): \(result.rows) rows, registry unchanged")
            } else {
                print("\(file): \(result.rows) rows (\(result.added) new, \(result.removed) removed); \(result.callsRelinked) calls re-linked")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the registry with the number of calls each row attributes.",
            discussion: """
            Examples:
              callvault numbers list --config /etc/callvault.toml
              callvault numbers list --format csv > registry-now.csv
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let rows: [Registry.Listing]
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                rows = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresRegistry(index: $0).list() }
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                rows = try Registry(index: index).list()
            }
            // The registry CSV's own columns (a list can be edited and imported again), then the calls.
            try Listing(rows, table: [
                .init("tracking_number") { .text($0.trackingNumber) }, .init("campaign") { .text($0.campaign) },
                .init("source") { .optional($0.source) }, .init("medium") { .optional($0.medium) },
                .init("valid_from") { .optional($0.validFrom) }, .init("valid_to") { .optional($0.validTo) },
                .init("pool") { .optional($0.pool) }, .init("calls") { .int($0.calls) },
            ]).print(as: format)
        }
    }

    struct Unassigned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unassigned",
            abstract: "Tracking numbers that received calls but no registry row covers.",
            discussion: """
            Each number with its calls and the first and last call's time: add rows for them to the registry and \
            import it again; the calls are then linked.

            Example:
              callvault numbers unassigned --format json
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let rows: [Registry.Unassigned]
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                rows = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresRegistry(index: $0).unassigned() }
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                rows = try Registry(index: index).unassigned()
            }
            try Listing(rows, table: [
                .init("tracking_number") { .text($0.trackingNumber) }, .init("calls") { .int($0.calls) },
                .init("first_call") { .text($0.firstCall) }, .init("last_call") { .text($0.lastCall) },
            ]).print(as: format)
        }
    }

    struct Relink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "relink",
            abstract: "Re-attribute every call from the current registry (import does this too).",
            discussion: """
            Prints how many calls changed attribution (registry row, pool session or call-back request). \
            Useful after restoring an index from a backup, or after changing callback_window_minutes or \
            pool_session_timeout_minutes.

            Example:
              callvault numbers relink --db /srv/calls/index.sqlite
            """)
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let windows = Settings(config: try store.loadConfig()).attributionWindows
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                let relinked = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresRegistry(index: $0).relink(windows: windows) }
                print("\(relinked) calls re-linked")
                return
            }
            let (index, _) = try store.openIndex()
            print("\(try Registry(index: index).relink(windows: windows)) calls re-linked")
        }
    }
}
