import CallVaultPostgres
import CallVaultWorker
import CallVaultSettings
import Foundation
import Logging

/// A `postgres://` index for the commands that work on PostgreSQL (``PostgresNotYet/working``):
/// the URL as read, the password from where it may be (never the config), the connection pool
/// running for the command's length, and the schema migrated first, as opening a SQLite index
/// migrates it.
enum PostgresBackend {
    /// The URL of `database` (the config's or `--db`'s text); nil for a SQLite path.
    static func url(_ database: String) throws -> PostgresURL? {
        guard PostgresURL.looksLikeURL(database) else { return nil }
        do { return try PostgresURL(database) } catch let e as PostgresURLError { throw CLIError.input("database: \(e.message)") }
    }

    /// Runs `body` with the migrated index at `url` (`migrating` false: as it is, for `db upgrade`). An unreachable server or a refused login is
    /// exit 1 (the environment), an index migrated by a newer callvault exit 2. The pool logs at
    /// `poolLogLevel` (nil: the command's `--log-level`): a one-shot command keeps warnings and
    /// errors, not the pool's note about a connection it was still opening when the command ended.
    static func withIndex<T: Sendable>(_ url: PostgresURL, config: Config, poolLogLevel: Logger.Level? = .warning, migrating: Bool = true,
                                       _ body: (PostgresIndex) async throws -> T) async throws -> T {
        var logger = Logger(label: "callvault.postgres")
        if let poolLogLevel { logger.logLevel = poolLogLevel }
        let credentials: PostgresCredentials
        do {
            credentials = try PostgresCredentials.resolve(url: url, passwordFile: config.passwordFile)
        } catch let e as PostgresIndexError {
            throw CLIError.input(e.message)
        }
        do {
            return try await PostgresIndex.withRunning(url: url, password: credentials.password, logger: logger) { index in
                if migrating { try await PostgresMigrator(index: index).migrate() }
                return try await body(index)
            }
        } catch let e as PostgresIndexError {
            let notes = credentials.notes.isEmpty ? "" : " (" + credentials.notes.joined(separator: "; ") + ")"
            switch e.kind {
            case .newerSchema, .credentials: throw CLIError.input(e.message)
            case .unreachable: throw CLIError.fatal(e.message + notes)
            case .statement, .leaseLost: throw CLIError.fatal(e.message)
            }
        }
    }

    /// The archive root for a command on `index`: the one given (`--archive` or the config's),
    /// else the one its last `run` recorded, else `fallback` (as ``ArchiveIdentity/root(given:fallback:index:)``).
    static func archiveRoot(_ index: PostgresIndex, given: String?, fallback: String) async throws -> String {
        if let given { return given }
        return try await index.meta("archive_root") ?? fallback
    }

    /// Runs `body` with the archive root of `index` (``archiveRoot(_:given:fallback:)``) checked as
    /// that index's own (exit 2 otherwise, as `openIndex(checkArchive:)` does on SQLite), on a
    /// thread of its own (``PostgresOwnThread``): the check and the maintenance after it are synchronous.
    static func withCheckedArchive<T: Sendable>(_ index: PostgresIndex, given: String?, fallback: String,
                                                _ body: @escaping @Sendable (_ archive: String) throws -> T) async throws -> T {
        let archive = try await archiveRoot(index, given: given, fallback: fallback)
        return try await PostgresOwnThread.run {
            do {
                try ArchiveIdentity.check(root: archive, index: PostgresQueueStore(index: index, leaseSeconds: 0), claim: false)
            } catch let e as WorkerError {
                throw CLIError.input(e.description)
            }
            return try body(archive)
        }
    }

    /// This machine's folder for `run`'s lease lock on the queue at `url`: local (`flock` does not
    /// span machines; owners elsewhere are judged by their leases), one per user and database.
    static func leaseFolder(_ url: PostgresURL) -> String {
        let safe = "\(url.host)-\(url.port)-\(url.database)".map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return (NSTemporaryDirectory() as NSString).appendingPathComponent("callvault-\(getuid())-\(String(safe)).leases")
    }
}
