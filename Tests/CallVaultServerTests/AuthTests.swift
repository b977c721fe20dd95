import CallVaultCore
import CallVaultServer
import CallVaultStore
import CallVaultTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("serve: authentication, roles, CSRF, throttling")
struct AuthTests {
    /// A concrete request for each route pattern: captures filled with plausible values.
    static func concrete(_ path: String, id: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            guard part.hasPrefix("{") || part.hasPrefix(":") else { return String(part) }
            return part.contains("id") ? id : "x"
        }.joined(separator: "/")
    }

    @Test("every route of the router but /login, /healthz and the assets (stylesheet, script, favicon) refuses an anonymous request")
    func anonymousRefusedOnEveryRoute() async throws {
        let f = try ServerFixture()
        let call = try f.addCall(callID: "anon-1", campaign: "Search-Brand")
        let router = f.router
        let routes = router.routes.map { (method: $0.method, path: $0.path.description) }
        #expect(routes.count >= 25, "the router lists its routes (\(routes.count))")
        #expect(routes.contains { $0.path == "/api/evidence" && $0.method == .post }, "the evidence download is enumerated too")
        let app = Application(router: router)
        try await app.test(.router) { client in
            var checked = 0
            for route in routes {
                let path = Self.concrete(route.path, id: call.id)
                let isPublic = path == "/login" || path == "/healthz" || path == "/favicon.ico" || path.hasPrefix("/assets/")
                let response = try await client.execute(uri: path, method: route.method,
                                                        headers: [.contentType: "application/x-www-form-urlencoded"],
                                                        body: ByteBuffer(string: "name=x&reason=y&campaign=z"))
                if isPublic {
                    #expect(response.status != .unauthorized, "\(route) is public")
                    continue
                }
                checked += 1
                if path.hasPrefix("/api/") || path.hasSuffix("/audio") || path == "/metrics" {
                    #expect(response.status == .unauthorized, "\(route) answered \(response.status)")
                    if route.method != .head {
                        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        #expect(json?["error"] is String, "\(route) answers {\"error\": …}")
                    }
                } else {
                    #expect(response.status == .seeOther, "\(route) answered \(response.status)")
                    #expect(response.headers[.location]?.hasPrefix("/login") == true, "\(route) redirects to /login")
                }
            }
            #expect(checked >= 22)
        }
    }

    @Test("login: HttpOnly SameSite=Strict cookie, a new session id each time, logout ends it; a wrong or missing form token is refused")
    func loginSessionAndLogout() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let first = try await client.postLogin("qa1", ServerFixture.password)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/calls")
            let header = try #require(client.setCookieHeader(named: "cv_session", in: first))
            #expect(header.contains("HttpOnly"))
            #expect(header.contains("SameSite=Strict"))
            #expect(!header.contains("Secure"), "plain HTTP without a trusted proxy")
            let a = try client.cookie(named: "cv_session", in: first)
            let b = try client.cookie(named: "cv_session", in: try await client.postLogin("qa1", ServerFixture.password))
            #expect(a != b)
            #expect(a.count == 64)

            let page = try await client.execute(uri: "/calls", method: .get, headers: [.cookie: "cv_session=\(a)"])
            #expect(page.status == .ok)
            let csrf = try csrfToken(in: String(buffer: page.body))
            // Logout without the CSRF token is refused; with it, the session ends.
            let noToken = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: "cv_session=\(a)"])
            #expect(noToken.status == .forbidden)
            let out = try await client.execute(uri: "/logout", method: .post,
                                               headers: [.cookie: "cv_session=\(a)", .contentType: "application/x-www-form-urlencoded"],
                                               body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(out.status == .seeOther)
            let after = try await client.execute(uri: "/calls", method: .get, headers: [.cookie: "cv_session=\(a)"])
            #expect(after.status == .seeOther)

            // The login form itself: a POST without the matching cv_login cookie is refused.
            let forged = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "csrf=abc&username=qa1&password=\(ServerFixture.password)"))
            #expect(forged.status == .forbidden)
            #expect(client.setCookieHeader(named: "cv_session", in: forged) == nil)
        }
        let actions = try AuditLog(index: f.index).entries(since: nil, action: "login").map { $0.details["by"] }
        #expect(actions == ["qa1", "qa1"])
    }

    @Test("loading the login form twice (a prefetch, a second tab) keeps the first form's token valid")
    func loginFormLoadedTwice() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let first = try await client.execute(uri: "/login", method: .get)
            let token = try client.cookie(named: "cv_login", in: first)
            #expect(try csrfToken(in: String(buffer: first.body)) == token)
            let second = try await client.execute(uri: "/login", method: .get, headers: [.cookie: "cv_login=\(token)"])
            #expect(try client.cookie(named: "cv_login", in: second) == token)
            let login = try await client.execute(uri: "/login", method: .post,
                                                 headers: [.cookie: "cv_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "csrf=\(token)&username=qa1&password=correct+horse+battery"))
            #expect(login.status == .seeOther)
        }
    }

    @Test("a session expires after session_hours")
    func sessionExpiry() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            f.advance(7.9 * 3600)
            #expect(try await client.execute(uri: "/api/calls", method: .get, headers: s.headers).status == .ok)
            f.advance(0.2 * 3600)
            #expect(try await client.execute(uri: "/api/calls", method: .get, headers: s.headers).status == .unauthorized)
        }
    }

    @Test("an anonymous page request is redirected to /login and lands back after signing in")
    func redirectAndNext() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let r = try await client.execute(uri: "/holds?all=1", method: .get)
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/login?next=%2Fholds%3Fall%3D1")
            let login = try await client.postLogin("comp1", ServerFixture.password, next: "/holds?all=1")
            #expect(login.headers[.location] == "/holds?all=1")
            let evil = try await client.postLogin("comp1", ServerFixture.password, next: "//evil.example/")
            #expect(evil.headers[.location] == "/calls", "never an open redirect")
        }
    }

    @Test("roles: qa cannot reach holds, audit or users; compliance cannot reach users; admin reaches all")
    func roles() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let qa = try await client.login("qa1")
            let comp = try await client.login("comp1")
            let admin = try await client.login("admin1")
            for path in ["/calls", "/reports", "/reports/summary", "/api/calls", "/api/reports/summary"] {
                #expect(try await client.execute(uri: path, method: .get, headers: qa.headers).status == .ok, "qa \(path)")
            }
            for path in ["/holds", "/audit", "/api/holds", "/api/audit", "/users", "/api/users"] {
                let r = try await client.execute(uri: path, method: .get, headers: qa.headers)
                #expect(r.status == .forbidden, "qa \(path): \(r.status)")
            }
            let apiForbidden = try await client.execute(uri: "/api/holds", method: .get, headers: qa.headers)
            #expect(String(buffer: apiForbidden.body).contains("\"error\""))
            for path in ["/holds", "/audit", "/api/holds", "/api/audit"] {
                #expect(try await client.execute(uri: path, method: .get, headers: comp.headers).status == .ok, "compliance \(path)")
            }
            #expect(try await client.execute(uri: "/users", method: .get, headers: comp.headers).status == .forbidden)
            #expect(try await client.execute(uri: "/users", method: .get, headers: admin.headers).status == .ok)
            // A qa user's hold attempt, even with a valid CSRF token, is refused and places nothing.
            let hold = try await client.execute(uri: "/holds", method: .post,
                                                headers: [.cookie: "cv_session=\(qa.cookie)", .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "csrf=\(qa.csrf)&name=H1&reason=r&campaign=X"))
            #expect(hold.status == .forbidden)
        }
        #expect(try Holds(index: f.index).list(includeRemoved: true).isEmpty)
    }

    @Test("a stored role this release does not know signs nobody in: the token is refused, `user list` names the user")
    func unknownStoredRoleRefused() async throws {
        let f = try ServerFixture()
        let (token, digest) = Passwords.newToken()
        try Users(index: f.index).setTokenDigest(name: "qa1", digest: digest, now: Date())
        // As a hand edit (or a newer release) would leave it: the sqlite3 shell, not the store's API.
        #expect(try Support.run("sqlite3", [f.dir + "/callvault.sqlite", "UPDATE users SET role = 'root' WHERE name = 'qa1'"]).status == 0)
        try await f.app.test(.router) { client in
            let response = try await client.execute(uri: "/api/calls", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .internalServerError, "refused, never served as some default role")
            let page = try await client.execute(uri: "/calls", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(page.status == .internalServerError)
        }
        let error = #expect(throws: IndexError.self) { try Users(index: f.index).list() }
        #expect(error?.message.contains("user \"qa1\": unknown role \"root\"") == true, "\(String(describing: error))")
        #expect(throws: IndexError.self) { try Users(index: f.index).passwordHash(name: "qa1") }
    }

    @Test("CSRF: a state-changing cookie request without the session's token is 403; a Bearer token without cookie is exempt")
    func csrf() async throws {
        let f = try ServerFixture()
        let (token, digest) = Passwords.newToken()
        try Users(index: f.index).setTokenDigest(name: "comp1", digest: digest, now: Date())
        try await f.app.test(.router) { client in
            let s = try await client.login("comp1")
            let form: HTTPFields = [.cookie: "cv_session=\(s.cookie)", .contentType: "application/x-www-form-urlencoded"]
            let missing = try await client.execute(uri: "/holds", method: .post, headers: form, body: ByteBuffer(string: "name=H1&reason=r&campaign=X"))
            #expect(missing.status == .forbidden)
            let wrong = try await client.execute(uri: "/holds", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(String(repeating: "0", count: 64))&name=H1&reason=r&campaign=X"))
            #expect(wrong.status == .forbidden)
            let apiNoToken = try await client.execute(uri: "/api/holds", method: .post, headers: [.cookie: "cv_session=\(s.cookie)", .contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"name":"H0","reason":"r","campaign":"X"}"#))
            #expect(apiNoToken.status == .forbidden)
            #expect(try Holds(index: f.index).list(includeRemoved: true).isEmpty)

            let ok = try await client.execute(uri: "/holds", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(s.csrf)&name=H1&reason=r&campaign=X"))
            #expect(ok.status == .ok)
            let header = try await client.execute(uri: "/api/holds", method: .post,
                                                  headers: [.cookie: "cv_session=\(s.cookie)", .contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: s.csrf],
                                                  body: ByteBuffer(string: #"{"name":"H2","reason":"r","caller":"(212) 555-0187"}"#))
            #expect(header.status == .created)
            let bearer = try await client.execute(uri: "/api/holds", method: .post,
                                                  headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"name":"H3","reason":"r","ids":["c0123456789abcdef01234567"]}"#))
            #expect(bearer.status == .created)
            let badToken = try await client.execute(uri: "/api/calls", method: .get, headers: [.authorization: "Bearer cvt_nope"])
            #expect(badToken.status == .unauthorized)
        }
        let holds = try Holds(index: f.index).list(includeRemoved: false)
        #expect(holds.map(\.name) == ["H1", "H2", "H3"])
        #expect(holds.allSatisfy { $0.placedBy == "comp1" })
        #expect(holds[1].caller == "+12125550187")
    }

    @Test("five failed sign-ins lock the user for 15 minutes, even with the right password; failures and the lock are audited")
    func lockout() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            for _ in 0..<5 {
                #expect(try await client.postLogin("qa1", "wrong password!").status == .unauthorized)
            }
            let locked = try await client.postLogin("qa1", ServerFixture.password)
            #expect(locked.status == .tooManyRequests)
            #expect(client.setCookieHeader(named: "cv_session", in: locked) == nil)
            f.advance(14 * 60)
            #expect(try await client.postLogin("qa1", ServerFixture.password).status == .tooManyRequests)
            f.advance(2 * 60)
            #expect(try await client.postLogin("qa1", ServerFixture.password).status == .seeOther)
        }
        let log = AuditLog(index: f.index)
        #expect(try log.entries(since: nil, action: "login_failed").count == 7)
        let lock = try log.entries(since: nil, action: "login_locked")
        #expect(lock.map { $0.details["locked"] ?? "" }.sorted() == ["address:unknown", "user:qa1"])
        #expect(try log.firstBrokenLink() == nil)
    }

    @Test("passwords are bcrypt with cost 12 by default, stdin gives the first line, a different confirmation is refused")
    func passwords() throws {
        let hash = Passwords.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"))
        #expect(Passwords.verify("correct horse battery", hash: hash))
        #expect(!Passwords.verify("correct horse batterY", hash: hash))
        #expect(try Passwords.fromInput("s3cret-pass-word\n") == "s3cret-pass-word")
        #expect(try Passwords.fromInput("s3cret-pass-word\ns3cret-pass-word\n") == "s3cret-pass-word")
        #expect(throws: Passwords.PasswordInputError.self) { try Passwords.fromInput("s3cret-pass-word\nother\n") }
        #expect(throws: Passwords.PasswordInputError.self) { try Passwords.fromInput("") }
        #expect(Passwords.problem("short") != nil)
        let (token, digest) = Passwords.newToken()
        #expect(token.count == 68 && digest.count == 64 && !digest.contains(token))
    }

    @Test("security headers on pages and API answers: CSP default-src 'self', frame-ancestors 'none', nosniff, Referrer-Policy")
    func securityHeaders() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            for path in ["/login", "/calls", "/api/calls"] {
                let r = try await client.execute(uri: path, method: .get, headers: s.headers)
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "\(path): \(csp)")
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(r.headers[HTTPField.Name("Referrer-Policy")!] != nil)
            }
            let page = String(buffer: try await client.execute(uri: "/calls", method: .get, headers: s.headers).body)
            #expect(!page.contains("<script>") && !page.contains("style=\""), "no inline script or style")
        }
    }
}
