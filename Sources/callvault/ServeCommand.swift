import ArgumentParser
import CallVaultServer
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
        sessions and audit entries, and never writes audio. [serve] in the config: listen \
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
        let (index, _) = try store.openIndex()
        let scheme = settings.tlsCert == nil ? "http" : "https"
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        do {
            try await CallVaultServer.run(state: ServerState(index: index, settings: withKeys), logger: Logger(label: "callvault.serve")) { port in
                FileHandle.standardError.write(Data("callvault: serving on \(scheme)://\(host):\(port)\n".utf8))
            }
        } catch let e as CLIError { throw e } catch {
            throw CLIError.fatal("serve: \(error)")
        }
    }
}
