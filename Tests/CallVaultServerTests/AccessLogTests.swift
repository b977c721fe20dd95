import CallVaultServer
import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import Testing

/// The access log through swift-log's in-memory handler: what an operator's log keeps of a request.
@Suite("serve: the access log")
struct AccessLogTests {
    @Test("a search by caller logs its method, path and status, and no digit of the number, password or token")
    func noQueryStringInTheLog() async throws {
        let f = try ServerFixture()
        try f.addCall(callID: "log-1", campaign: "Search-Brand")
        let handler = InMemoryLogHandler()
        let app = Application(router: f.router, logger: Logger(label: "callvault.test") { _ in handler })
        let session = try await app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = try await client.execute(uri: "/calls?caller=+12125550187", method: .get, headers: s.headers)
            #expect(page.status == .ok)
            let api = try await client.execute(uri: "/api/calls?caller=%2B12125550187&limit=5", method: .get, headers: s.headers)
            #expect(api.status == .ok)
            _ = try await client.execute(uri: "/calls?caller=2125550187", method: .get)   // anonymous: redirected
            return s
        }
        let requests = handler.entries.filter { $0.message.description == "request" }
        let search = try #require(requests.first { $0.metadata["path"]?.description == "/calls" })
        #expect(search.level == .info)
        #expect(search.metadata["method"]?.description == "GET")
        #expect(search.metadata["status"]?.description == "200")
        #expect(search.metadata["duration_ms"] != nil)
        #expect(requests.contains { $0.metadata["path"]?.description == "/api/calls" })
        #expect(requests.contains { $0.metadata["path"]?.description == "/calls" && $0.metadata["status"]?.description == "303" })
        let everything = handler.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in ["2125550187", "5550187", ServerFixture.password, session.cookie, session.csrf] {
            #expect(!everything.contains(secret), "the log holds \(secret.debugDescription):\n\(everything)")
        }
    }
}
