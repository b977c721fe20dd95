import ArgumentParser
import CallVaultCore
import CallVaultStore
import Foundation
import Logging

/// Where the data lives: `--config`, then `--spool/--archive/--db` on top.
struct StoreOptions: ParsableArguments {
    @Option(help: "TOML config file (see `callvault config check`); flags override it.")
    var config: String?

    @Option(help: "Spool folder holding incoming/ (default: ./spool or the config's).")
    var spool: String?

    @Option(help: "Archive root for the Opus files (default: ./archive or the config's).")
    var archive: String?

    @Option(name: .customLong("db"), help: "SQLite index (default: ./callvault.sqlite or the config's).")
    var database: String?

    func loadConfig() throws -> Config {
        guard let config else { return Config() }
        do { return try Config.load(path: config) } catch let e as ConfigError { throw CLIError.input(e.description) }
    }

    func resolved() throws -> (config: Config, spool: String, archive: String, database: String) {
        let c = try loadConfig()
        let cwd = FileManager.default.currentDirectoryPath
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        return (c, abs(spool ?? c.spool ?? "spool"), abs(archive ?? c.archive ?? "archive"),
                abs(database ?? c.database ?? "callvault.sqlite"))
    }

    func openIndex(readOnly: Bool = false) throws -> (CallIndex, archive: String) {
        let r = try resolved()
        do {
            return (try CallIndex(path: r.database, readOnly: readOnly), r.archive)
        } catch let e as IndexError {
            throw CLIError(e)
        }
    }
}

struct LogOptions: ParsableArguments {
    @Option(help: "Log lines on stderr as text or json (one object per line).")
    var logFormat: LogFormat = .text

    @Option(help: "Least severe log level shown: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func bootstrap() {
        LogSetup.bootstrap(format: logFormat.rawValue, level: Logger.Level(rawValue: logLevel) ?? .info)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
