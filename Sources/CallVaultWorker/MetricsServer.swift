import Foundation
import Synchronization

/// A minimal HTTP/1.1 endpoint for watch mode: `GET /metrics` (Prometheus text) and
/// `GET /healthz` (`ok` while the worker loop is alive). One request per connection, on its own
/// thread, so a slow scraper never blocks the worker. Hand-written on POSIX sockets (about 100
/// lines) rather than pulling an HTTP framework into the build for two fixed routes.
public final class MetricsServer: Sendable {
    private let fd: Int32
    private let content: @Sendable () -> (metrics: String, healthy: Bool)
    public let port: Int

    /// Listens on `HOST:PORT` (`0.0.0.0:9464`, `127.0.0.1:0` for any free port).
    public init(listen: String, content: @escaping @Sendable () -> (metrics: String, healthy: Bool)) throws {
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let portNumber = UInt16(parts[1]) else {
            throw WorkerError.configuration("--metrics-listen must be HOST:PORT, e.g. 0.0.0.0:9464 (got \(listen))")
        }
        let host = parts[0].isEmpty ? "0.0.0.0" : String(parts[0])
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WorkerError.configuration("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = portNumber.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw WorkerError.configuration("--metrics-listen: \(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Foundation.listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw WorkerError.configuration("cannot listen on \(listen): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: actual.sin_port))
        self.fd = fd
        self.content = content
        let server = self
        Thread.detachNewThread { server.acceptLoop() }
    }

    public func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(client)
            close(client)
        }
    }

    private func respond(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let n = read(client, &buffer, buffer.count)
        guard n > 0 else { return }
        let request = String(decoding: buffer[0..<n], as: UTF8.self)
        let line = request.split(separator: "\r\n").first?.split(separator: " ") ?? []
        let (status, type, body): (String, String, String)
        if line.count >= 2, line[0] == "GET" || line[0] == "HEAD" {
            let path = line[1].split(separator: "?").first.map(String.init) ?? ""
            let now = content()
            switch path {
            case "/metrics": (status, type, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", now.metrics)
            case "/healthz": (status, type, body) = now.healthy ? ("200 OK", "text/plain", "ok\n") : ("503 Service Unavailable", "text/plain", "stopping\n")
            default: (status, type, body) = ("404 Not Found", "text/plain", "try /metrics or /healthz\n")
            }
        } else {
            (status, type, body) = ("405 Method Not Allowed", "text/plain", "GET only\n")
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((head + (line.first == "HEAD" ? "" : body)).utf8)
        var sent = 0
        while sent < bytes.count {
            let w = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if w <= 0 { return }
            sent += w
        }
    }
}
