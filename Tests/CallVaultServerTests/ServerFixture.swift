import Crypto
import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// A real SQLite index in a temporary folder with a few calls and users, and the server's router
/// over it. Users get bcrypt cost 4 here so logins are quick; cost 12 is checked separately.
final class ServerFixture: Sendable {
    let dir: String
    let index: CallIndex
    let archive: String
    let clock = TestClock()
    let state: ServerState
    static let password = "correct horse battery"

    init() throws {
        dir = try Support.temporaryDirectory("serve").path
        archive = dir + "/archive"
        try FileManager.default.createDirectory(atPath: archive + "/2026/11/20", withIntermediateDirectories: true)
        index = try CallIndex(path: dir + "/callvault.sqlite")
        var settings = ServerSettings(archiveRoot: archive)
        settings.bcryptCost = 4
        let clock = self.clock
        state = ServerState(index: index, settings: settings, now: { clock.now })
        for (name, role) in [("qa1", Users.Role.qa), ("comp1", .compliance), ("admin1", .admin)] {
            try Users(index: index).add(name: name, role: role, passwordHash: Passwords.hash(Self.password, cost: 4), now: Date())
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func advance(_ seconds: Double) { clock.advance(seconds) }

    /// Inserts a call whose archive file holds `bytes`.
    @discardableResult
    func addCall(callID: String, campaign: String?, caller: String = "+12125550187", startedAt: String = "2026-11-20T14:00:00Z",
                 bytes: [UInt8] = Array((0..<5000).map { UInt8($0 % 251) }), archivePath: String? = nil) throws -> CallRecord {
        let id = RecordID.make(callID: callID)
        let path = archivePath ?? "2026/11/20/\(id).opus"
        if archivePath == nil { try Support.createFile(archive + "/" + path, Data(bytes)) }
        // The store tests' record, with this page's numbers: a 10 s answered call with one long silence.
        var r = try StoreFixture.record(callID: callID, caller: caller, tracking: "+18005550100", startedAt: startedAt)
        r.trackingNumberRaw = "800-555-0100"
        r.durationMs = 10_000
        r.talkMs = 6_000
        r.longestSilenceMs = 2_500
        r.silences = [Interval(startMs: 4_000, endMs: 6_500)]
        r.sourceFormat = "wav"
        r.archivePath = path
        r.sha256 = FileHashFixture.sha256(bytes)
        r.bytes = bytes.count
        r.sourceBytes = 1
        r.sourceSha256 = "00"
        r.ingestedAt = try #require(Timestamp.parseInstant("2026-11-20T14:01:00Z"))
        r.campaign = campaign
        try index.pool.write { db in try r.insert(db) }
        return r
    }

    var router: Router<ServerContext> { CallVaultServer.buildRouter(state: state) }
    var app: some ApplicationProtocol { Application(router: router) }
}

/// The server's clock in tests: moved by hand to walk through expiry and lockouts.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

enum FileHashFixture {
    static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = Crypto.SHA256()
        hasher.update(data: bytes)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// A signed-in browser: its session cookie and the CSRF token of its pages.
struct Session {
    var cookie: String
    var csrf: String
    var headers: HTTPFields { [.cookie: "cv_session=\(cookie)"] }
}

extension TestClientProtocol {
    /// GET /login, then POST the form with its CSRF token; returns the response.
    func postLogin(_ user: String, _ password: String, next: String? = nil, address: String? = nil) async throws -> TestResponse {
        let form = try await execute(uri: "/login", method: .get)
        let loginCookie = try cookie(named: "cv_login", in: form)
        var body = "csrf=\(loginCookie)&username=\(user)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        if let next { body += "&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
        return try await execute(uri: "/login", method: .post,
                                 headers: [.cookie: "cv_login=\(loginCookie)", .contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: body))
    }

    func login(_ user: String, _ password: String = ServerFixture.password) async throws -> Session {
        let response = try await postLogin(user, password)
        guard response.status == .seeOther else { throw FixtureError("login of \(user) answered \(response.status)") }
        let cookie = try cookie(named: "cv_session", in: response)
        let page = try await execute(uri: "/calls", method: .get, headers: [.cookie: "cv_session=\(cookie)"])
        return Session(cookie: cookie, csrf: try csrfToken(in: String(buffer: page.body)))
    }

    func cookie(named name: String, in response: TestResponse) throws -> String {
        for header in response.headers[values: .setCookie] where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        throw FixtureError("no \(name) cookie in \(response.headers[values: .setCookie])")
    }

    func setCookieHeader(named name: String, in response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}

func csrfToken(in html: String) throws -> String {
    guard let r = html.range(of: "name=\"csrf\" value=\"") else { throw FixtureError("no CSRF field in the page") }
    return String(html[r.upperBound...].prefix { $0 != "\"" })
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
