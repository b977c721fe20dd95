import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import Foundation

/// `callvault web`: the website's logs that attribute calls (pool sessions, call-back requests).
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Import the website's call-back requests and number-pool sessions, which attribute calls.",
        subcommands: [ImportCallbacks.self, ImportSessions.self])

    /// The file's text, or a CLI error naming it.
    static func read(_ file: String) throws -> String {
        do { return try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw CLIError.input("\(file): cannot read (\((error as NSError).localizedDescription))")
        }
    }

    /// Both imports: the zone, the file read and parsed whole (nothing of a bad file is applied),
    /// then `apply` on the index and one line of what changed.
    /// `sqlite` on a SQLite index, `postgres` on a `postgres://` one (the same rows, relink and audit).
    static func importFile<Item>(_ file: String, tz: String, store: StoreOptions, noun: String,
                                 parse: (_ text: String, _ file: String, _ defaultCountryCode: String, _ timeZone: TimeZone) throws -> [Item],
                                 sqlite: (WebLog, [Item], Settings) throws -> WebLog.ImportResult,
                                 postgres: (PostgresWebLog, [Item], Settings) async throws -> WebLog.ImportResult) async throws {
        guard let zone = TimeZone(identifier: tz) else { throw ValidationError("--tz: unknown time zone \(tz)") }
        let text = try read(file)
        let settings = Settings(config: try store.loadConfig())
        let items: [Item]
        do { items = try parse(text, file, settings.countryCode, zone) } catch let e as ConfigError { throw CLIError.input(e.description) }
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            let result = try await PostgresBackend.withIndex(url, config: r.config) { try await postgres(PostgresWebLog(index: $0), items, settings) }
            report(file, result, noun)
            return
        }
        let (index, _) = try store.openIndex()
        report(file, try sqlite(WebLog(index: index), items, settings), noun)
    }

    static func report(_ file: String, _ r: WebLog.ImportResult, _ noun: String) {
        if r.unchanged {
            print("\(file): \(r.rows) \(noun), nothing changed")
        } else {
            print("\(file): \(r.rows) \(noun) (\(r.added) new, \(r.changed) changed); \(r.callsRelinked) calls re-linked")
        }
    }

    struct ImportCallbacks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-callbacks",
            abstract: "Add or update web call-back requests (CSV or JSON Lines) and re-link outbound calls.",
            discussion: """
            Columns (a CSV header, or the keys of one JSON object per line): request_id, phone, \
            requested_at (required), utm_source, utm_medium, utm_campaign, utm_term, utm_content, \
            landing_page, referrer, gclid. phone is read with default_country_code; requested_at is an \
            ISO time (with an offset, or local in --tz).

            An outbound call (sidecar direction "outbound") is linked to the request its \
            callback_request_id names, else to the latest request for the number it dialled (callee) \
            made within callback_window_minutes (config; default \(Settings.Defaults.callbackWindowMinutes)) \
            before it; its campaign, source and medium are then the request's utm fields.

            Requests are added and updated by request_id, the others kept (daily exports overlap). \
            Errors name FILE:LINE: field: reason and nothing of a bad file is applied; the same file \
            again changes nothing.

            Example:
              callvault web import-callbacks callbacks.csv --config data/callvault.toml
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The call-back requests, CSV or JSON Lines.") var file: String
        @Option(help: "Time zone of times without an offset (default UTC), e.g. America/New_York.") var tz: String = "UTC"

        func run() async throws {
            let file = file
            try await WebCommand.importFile(file, tz: tz, store: store, noun: "requests", parse: CallbackRequest.parse, sqlite: { log, requests, settings in
                try log.importCallbacks(requests, file: file, windows: settings.attributionWindows, now: Date())
            }, postgres: { log, requests, settings in
                try await log.importCallbacks(requests, file: file, windows: settings.attributionWindows, now: Date())
            })
        }
    }

    struct ImportSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-sessions",
            abstract: "Add or update website sessions that were shown pool numbers (CSV or JSON Lines) and re-link their calls.",
            discussion: """
            Columns (a CSV header, or the keys of one JSON object per line): session_id, pool_number, \
            first_seen, last_seen (required), utm_source, utm_medium, utm_campaign, utm_term, \
            utm_content, keyword, landing_page, referrer, gclid.

            A call to a pool number (a registry row with a pool) is attributed to the session that \
            showed that number and was active when the call started: from first_seen to last_seen + \
            pool_session_timeout_minutes (config; default \(Settings.Defaults.poolSessionTimeoutMinutes)), \
            both ends included; of several, the most recently seen. With no such session the call takes \
            the pool row's campaign (pool-fallback).

            Sessions are added and updated by session_id, the others kept. Errors name FILE:LINE: \
            field: reason and nothing of a bad file is applied; the same file again changes nothing.

            Example:
              callvault web import-sessions sessions.jsonl --config data/callvault.toml
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The sessions, CSV or JSON Lines.") var file: String
        @Option(help: "Time zone of times without an offset (default UTC), e.g. America/New_York.") var tz: String = "UTC"

        func run() async throws {
            let file = file
            try await WebCommand.importFile(file, tz: tz, store: store, noun: "sessions", parse: WebSession.parse, sqlite: { log, sessions, settings in
                try log.importSessions(sessions, file: file, windows: settings.attributionWindows, now: Date())
            }, postgres: { log, sessions, settings in
                try await log.importSessions(sessions, file: file, windows: settings.attributionWindows, now: Date())
            })
        }
    }
}
