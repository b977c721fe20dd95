import ArgumentParser
import CallVaultCore
import CallVaultStore
import CallVaultWorker
import Foundation
import Logging

/// Where the data lives: `--config`, then `--spool/--archive/--db` on top.
struct StoreOptions: ParsableArguments {
    @Option(help: "TOML config file (see `callvault config check`); flags override it.")
    var config: String?

    @Option(help: "Spool folder holding incoming/ (default: ./spool or the config's).")
    var spool: String?

    @Option(help: "Archive root for the Opus files (default: the config's, else the root the index recorded at its last run, else ./archive).")
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

