import CallVaultSettings
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The PostgreSQL index of one process: its one connection pool (postgres-nio's
/// `PostgresClient`) and the URL it reaches. The pool serves only while ``client`` runs: a
/// long-lived process (`run`'s watch mode, `serve`) puts ``client`` in its `ServiceGroup` beside
/// its other services; a short command wraps its work in ``withRunning(url:password:logger:_:)``.
///
/// ```swift
/// let credentials = try PostgresCredentials.resolve(url: url, passwordFile: config.passwordFile)
/// try await PostgresIndex.withRunning(url: url, password: credentials.password, logger: logger) { index in
///     try await PostgresMigrator(index: index).migrate()
/// }
/// ```
public struct PostgresIndex: Sendable {
    public let url: PostgresURL
    /// The pool: a `Service` (swift-service-lifecycle); nothing is leased until it runs.
    public let client: PostgresClient
    public let logger: Logger
    private let password: String?

    public init(url: PostgresURL, password: String?, logger: Logger) {
        self.url = url
        self.logger = logger
        self.password = password
        client = PostgresClient(configuration: Self.configuration(url: url, password: password), backgroundLogger: logger)
    }

    /// postgres-nio's configuration for `url`, with `sslmode` mapped as libpq reads it: `prefer`
    /// and `require` encrypt without checking the certificate, `verify-full` checks the chain
    /// against the system's trust store and the host name.
    public static func configuration(url: PostgresURL, password: String?) -> PostgresClient.Configuration {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS = switch url.sslMode {
        case .disable: .disable
        case .prefer: .prefer(unverified)
        case .require: .require(unverified)
        case .verifyFull: .require(TLSConfiguration.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: password,
                                                         database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Settings.Defaults.postgresConnectTimeoutSeconds))
        configuration.options.maximumConnections = Settings.Defaults.postgresMaxConnections
        return configuration
    }

    /// Runs the pool while `body` runs, then shuts it down: for a command that does one thing.
    /// The server is reached once first (``checkReachable()``), so an unreachable server is an
    /// error at once, not a wait.
    public static func withRunning<T: Sendable>(url: PostgresURL, password: String?, logger: Logger,
                                                _ body: (PostgresIndex) async throws -> T) async throws -> T {
        let index = PostgresIndex(url: url, password: password, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await index.client.run() }
            defer { group.cancelAll() }
            try await index.checkReachable()
            return try await body(index)
        }
    }

    /// Opens one connection of its own and closes it: a server that refuses, is absent or
    /// rejects the login is an error at once (the pool, by design, retries such a server quietly
    /// and a command would wait instead of saying why it cannot work). Only the TCP connect has
    /// a deadline (``Settings/Defaults/postgresConnectTimeoutSeconds``): a slow, loaded server
    /// is waited for, not reported unreachable.
    public func checkReachable() async throws {
        do {
            var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: password,
                                                                 database: url.database, tls: try Self.connectionTLS(url.sslMode))
            configuration.options.connectTimeout = .seconds(Int64(Settings.Defaults.postgresConnectTimeoutSeconds))
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw PostgresIndexError.wrap(error, step: "connecting to \(url)")
        }
    }

    /// The single connection's TLS for `mode`, as ``configuration(url:password:)`` maps it for the pool.
    private static func connectionTLS(_ mode: PostgresURL.SSLMode) throws -> PostgresConnection.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        return switch mode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: unverified))
        case .require: .require(try NIOSSLContext(configuration: unverified))
        case .verifyFull: .require(try NIOSSLContext(configuration: TLSConfiguration.makeClientConfiguration()))
        }
    }

    /// Runs `body` in one transaction on one pooled connection: committed when it returns,
    /// rolled back when it throws (the error comes out as thrown, ``PostgresIndexError`` for
    /// the server's). `step` names the work in errors.
    public func transaction<T: Sendable>(_ step: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw PostgresIndexError.wrap(error, step: step)
        }
    }

    /// Runs one statement outside a transaction and returns its rows.
    public func query(_ step: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw PostgresIndexError.wrap(error, step: step)
        }
    }
}
