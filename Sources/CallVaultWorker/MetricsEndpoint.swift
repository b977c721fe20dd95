import CallVaultFiles
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// `run --metrics-listen HOST:PORT` in watch mode: `GET /metrics` (the Prometheus text of
/// ``MetricsFile/render(summary:succeeded:job:steps:now:previousSuccess:base:)``) and `GET /healthz`
/// (`ok` while the worker runs, `503 stopping` once it is shutting down), served by hummingbird as
/// one service of the run's ServiceGroup, so a slow scraper never blocks the worker.
///
/// One fixed responder rather than a router: two routes, unauthenticated (the web application's
/// `/metrics` is another thing, behind its login), the only place the worker touches HTTP.
public struct MetricsEndpoint: Service {
    /// `HOST:PORT` of `--metrics-listen`: an IPv4 address (empty: 0.0.0.0) and a port (0: any free one).
    public struct Address: Sendable, Equatable {
        public var host: String
        public var port: Int
        public let text: String

        public init(_ listen: String) throws {
            let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw WorkerError.configuration("--metrics-listen must be HOST:PORT, e.g. 0.0.0.0:9464 (got \(listen))")
            }
            host = parts[0].isEmpty ? "0.0.0.0" : String(parts[0])
            var ipv4 = in_addr()
            guard inet_pton(AF_INET, host, &ipv4) == 1 else {
                throw WorkerError.configuration("--metrics-listen: \(host) is not an IPv4 address")
            }
            self.port = Int(port)
            text = listen
        }
    }

    public let address: Address
    public let logger: Logger
    private let content: @Sendable () -> (metrics: String, healthy: Bool)
    private let listening: @Sendable (Int) -> Void

    /// `content` is asked on every request; `listening` gets the bound port once the socket listens.
    public init(address: Address, logger: Logger, content: @escaping @Sendable () -> (metrics: String, healthy: Bool),
                listening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.address = address
        self.logger = logger
        self.content = content
        self.listening = listening
    }

    public func run() async throws {
        let bound = Atomic<Bool>(false)
        // Hummingbird's own lines (server started, each request) stay below the run's log.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let content = self.content, listening = self.listening, port = address.port
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                Self.response(method: request.method, path: request.uri.path, content: content())
            },
            configuration: .init(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                bound.store(true, ordering: .releasing)
                listening(channel.localAddress?.port ?? port)
            },
            logger: quiet)
        do {
            try await app.run()
        } catch where !bound.load(ordering: .acquiring) {
            // The system's reason alone ("Address already in use"), as an operator reads it.
            let reason = (error as? IOError).map { FileSystemError.words(errno: $0.errnoCode) } ?? "\(error)"
            throw WorkerError.configuration("cannot listen on \(address.text): \(reason)")
        }
    }

    /// The response to one request: the same statuses, types and bodies as the endpoint always had.
    static func response(method: HTTPRequest.Method, path: String, content: @autoclosure () -> (metrics: String, healthy: Bool)) -> Response {
        let status: HTTPResponse.Status, type: String, body: String
        if method == .get || method == .head {
            let now = content()
            switch path {
            case "/metrics": (status, type, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", now.metrics)
            case "/healthz": (status, type, body) = now.healthy ? (.ok, "text/plain", "ok\n") : (.serviceUnavailable, "text/plain", "stopping\n")
            default: (status, type, body) = (.notFound, "text/plain", "try /metrics or /healthz\n")
            }
        } else {
            (status, type, body) = (.methodNotAllowed, "text/plain", "GET only\n")
        }
        return Response(status: status, headers: [.contentType: type],
                        body: .init(byteBuffer: ByteBuffer(string: method == .head ? "" : body)))
    }
}
