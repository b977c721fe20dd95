import ArgumentParser
import CallVaultCore
import CallVaultSettings
import CallVaultStore
import CallVaultWorker
import Foundation
import Logging

/// The config, its settings and the three locations (``StoreOptions/resolved()``).
typealias ResolvedStore = (config: Config, settings: Settings, spool: String, archive: String, database: String)

/// Where the data lives: `--config`, then `--spool/--archive/--db` on top.
struct StoreOptions: ParsableArguments {
    @Option(help: "TOML config file (see `callvault config check`); flags override it.")
    var config: String?

    @Option(help: "Spool folder holding incoming/ (default: ./\(Settings.Defaults.spool) or the config's).")
    var spool: String?

    @Option(help: "Archive root for the Opus files (default: the config's, else the root the index recorded at its last run, else ./\(Settings.Defaults.archive)).")
    var archive: String?

    @Option(name: .customLong("db"), help: "SQLite index, or postgres://USER@HOST[:PORT]/DB where the command works on PostgreSQL (default: ./\(Settings.Defaults.database) or the config's).")
    var database: String?

    /// The config file's settings; a `postgres://` index (the config's or `--db`) stops the
    /// command here unless it runs on PostgreSQL (``PostgresNotYet``).
    func loadConfig() throws -> Config {
        let c = try loadConfigFile(config)
        if let refusal = PostgresNotYet.refusal(database, what: "--db") ?? PostgresNotYet.refusal(database == nil ? c.database : nil, what: "database") {
            throw refusal
        }
        return c
    }

    /// The config, its resolved ``Settings`` and the three locations, absolute (a `postgres://`
    /// index as written).
    func resolved() throws -> ResolvedStore {
        let c = try loadConfig()
        let cwd = FileManager.default.currentDirectoryPath
        func abs(_ p: String) -> String { p.hasPrefix("/") || PostgresURL.looksLikeURL(p) ? p : cwd + "/" + p }
        return (c, Settings(config: c), abs(spool ?? c.spool ?? Settings.Defaults.spool), abs(archive ?? c.archive ?? Settings.Defaults.archive),
                abs(database ?? c.database ?? Settings.Defaults.database))
    }

    /// The archive root given by `--archive` or the config, absolute; nil when neither gives one.
    func givenArchive(_ config: Config) -> String? {
        guard let given = archive ?? config.archive else { return nil }
        return given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
    }

    /// Opens the index; the archive root is the one given, else the one the index recorded at
    /// its last `run`, else ./archive. Commands that read or delete archive files pass
    /// `checkArchive`: a root that is not this index's archive is then refused (exit 2).
    func openIndex(readOnly: Bool = false, checkArchive: Bool = false) throws -> (CallIndex, archive: String) {
        let r = try resolved()
        do {
            let index = try CallIndex(path: r.database, readOnly: readOnly)
            let root = try ArchiveIdentity.root(given: givenArchive(r.config), fallback: r.archive, index: index)
            if checkArchive { try ArchiveIdentity.check(root: root, index: index, claim: false) }
            return (index, root)
        } catch let e as IndexError {
            throw CLIError(e)
        } catch let e as WorkerError {
            throw CLIError.input(e.description)
        }
    }
}

/// The config file at `path` (an empty config without one); a bad file is exit 2 with `FILE:LINE: reason`.
func loadConfigFile(_ path: String?) throws -> Config {
    guard let path else { return Config() }
    do { return try Config.load(path: path) } catch let e as ConfigError { throw CLIError.input(e.description) }
}

/// How a default reads in help texts: `2` for 2.0, `0.5`, `-40`.
func helpNumber(_ value: Double) -> String { String(format: "%g", value) }

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

