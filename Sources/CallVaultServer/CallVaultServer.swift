import CallVaultStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL

/// The web application of `callvault serve`: one router, a route collection per page family, the
/// auth middleware in front of all of them.
///
/// ```swift
/// let state = ServerState(index: try CallIndex(path: db), settings: settings)
/// try await CallVaultServer.run(state: state, logger: logger)   // until SIGTERM or SIGINT
/// ```
public enum CallVaultServer {
    /// The router with every route; tests drive it through HummingbirdTesting and enumerate
    /// `router.routes` to check that none answers an anonymous request.
    public static func buildRouter(state: ServerState) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AccessLogMiddleware(.info))
        router.add(middleware: AuthMiddleware(state: state))
        router.addRoutes(SystemRoutes(state: state).collection())
        router.addRoutes(LoginRoutes(state: state).collection())
        router.addRoutes(CallRoutes(state: state).collection())
        router.addRoutes(ReportRoutes(state: state).collection())
        router.addRoutes(HoldRoutes(state: state).collection())
        router.addRoutes(AuditRoutes(state: state).collection())
        router.addRoutes(UserRoutes(state: state).collection())
        router.addRoutes(EvidenceRoutes(state: state).collection())
        return router
    }

    /// The application: HTTP/1.1, or HTTPS when the settings name a certificate and key.
    public static func buildApplication(state: ServerState, logger: Logger,
                                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let s = state.settings
        var server = HTTPServerBuilder.http1()
        if let cert = s.tlsCert, let key = s.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        }
        return Application(router: buildRouter(state: state), server: server,
                           configuration: .init(address: .hostname(s.host, port: s.port), serverName: "callvault"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? s.port) },
                           logger: logger)
    }

    /// Serves until SIGTERM or SIGINT; in-flight requests finish first (swift-service-lifecycle).
    public static func run(state: ServerState, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = try buildApplication(state: state, logger: logger, onServerRunning: onServerRunning)
        try await app.runService()
    }
}
