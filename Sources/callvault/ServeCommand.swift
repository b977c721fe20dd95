import ArgumentParser
import CallVaultServer
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The web application: search, listen, holds, reports and an audit of every access.",
        discussion: """
        Serves the index and the archive to signed-in users (see `callvault user add`) until SIGTERM \
        or Ctrl-C; requests in flight finish first. It reads the index while `run` ingests, writes \
        sessions and audit entries, and never writes audio. The index may be a SQLite file or \
        PostgreSQL (`--db postgres://…`: the same pages and API; several servers may share it). [serve] in the config: listen \
        (default \(Settings.Defaults.serveListen)), session_hours (\(helpNumber(Settings.Defaults.sessionHours))), tls_cert and tls_key, trusted_proxies, time_zone (local times on the pages; default \(Settings.Defaults.serveTimeZone)). \
        With [encryption] identity_file (mode 0600) it plays encrypted archive files (ID.opus.age), \
        decrypting only the chunks a range asks for. \
        Once listening it prints `callvault: serving on URL` on stderr.

        Examples:
          callvault user add ana --role compliance --config callvault.toml
          callvault serve --config callvault.toml --listen 127.0.0.1:8080
        """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var log: LogOptions
    @Option(help: "HOST:PORT to listen on (overrides [serve] listen; port 0 picks a free one).") var listen: String?

    func run() async throws {
        log.bootstrap()
        let r = try store.resolved()
        let settings: ServerSettings
        do { settings = try ServerSettings.from(settings: r.settings, archiveRoot: r.archive, listen: listen) } catch let e as ServerSettings.SettingsError {
            throw CLIError.input(e.description)
        }
        var withKeys = settings
        if let file = r.settings.encryption.identityFile { withKeys.identities = try loadIdentityFile(file) }
        let scheme = settings.tlsCert == nil ? "http" : "https"
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        let logger = Logger(label: "callvault.serve")
        let onRunning: @Sendable (Int) async -> Void = { port in
            FileHandle.standardError.write(Data("callvault: serving on \(scheme)://\(host):\(port)\n".utf8))
        }
        if let url = try PostgresBackend.url(r.database) {
            // The archive root as every PostgreSQL command finds it (given, else the one `run`
            // recorded), checked as this index's own before a page is served.
            try await PostgresBackend.withIndex(url, config: r.config) { index in
                var checked = withKeys
                checked.archiveRoot = try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { $0 }
                try await Self.serve(ServerState(store: PostgresServerStore(index: index), settings: checked), logger: logger, onRunning: onRunning)
            }
            return
        }
        let (index, _) = try store.openIndex()
        try await Self.serve(ServerState(index: index, settings: withKeys), logger: logger, onRunning: onRunning)
    }

    private static func serve(_ state: ServerState, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        do {
            try await CallVaultServer.run(state: state, logger: logger, onServerRunning: onRunning)
        } catch let e as CLIError { throw e } catch {
            throw CLIError.fatal("serve: \(error)")
        }
    }
}
