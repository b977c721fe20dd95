import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// `GET /login` (the form), `POST /login` (username, password, csrf), `POST /logout`.
///
/// The login form's CSRF token is a double-submit cookie (`cv_login`): no session exists yet.
/// Five failures within 15 minutes lock the user name and the client address for 15 minutes;
/// every login, failure and lock is an audit entry.
struct LoginRoutes {
    let state: ServerState
    static let loginCookie = "cv_login"
    static let throttle = Sessions.ThrottlePolicy()

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.get("/login") { request, context in try self.form(request, context, message: nil) }
        routes.post("/login") { request, context in try await self.login(request, context) }
        routes.post("/logout") { request, context in try await self.logout(request, context) }
        return routes
    }

    func form(_ request: Request, _ context: ServerContext, message: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        if context.principal != nil && message == nil { return Responses.redirect("/calls") }
        // Reuse the form token the browser already holds: a second load of the form (a prefetch, a
        // reload in another tab) must not invalidate the first one.
        let held = request.cookies[Self.loginCookie]?.value ?? ""
        let token = held.count == 64 && held.allSatisfy(\.isHexDigit) ? held : ServerState.randomToken()
        let next = FormData(request.uri.query ?? "")["next"] ?? ""
        let body = """
        \(message.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? "")
        <form method="post" action="/login" class="login">
        <input type="hidden" name="csrf" value="\(token)">
        <input type="hidden" name="next" value="\(HTML.escape(next))">
        <label>User name <input name="username" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button>Sign in</button>
        </form>
        """
        var response = Responses.html(status, HTML.page(title: "Sign in", principal: nil, body: body))
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", secure: context.secure,
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    func login(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        guard let sent = form["csrf"], let expected = request.cookies[Self.loginCookie]?.value,
              AuthMiddleware.constantTimeEqual(sent, expected) else {
            return try self.form(request, context, message: "The form expired; please sign in again.", status: .forbidden)
        }
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        let address = context.clientAddress ?? "unknown"
        let now = state.now()
        let store = state.store
        let keys = ["user:" + username, "address:" + address]
        let details = ["by": username, "address": address]

        for key in keys {
            if let until = try await store.lockedUntil(key: key, now: now.timeIntervalSince1970) {
                try await store.appendAudit(action: "login_failed", ids: [], reason: "locked out", sha256: nil, details: details.merging(["locked": key]) { a, _ in a })
                return try self.form(request, context, message: "Too many failed sign-ins; try again after \(Timestamp.format(Date(timeIntervalSince1970: until))).",
                                     status: .tooManyRequests)
            }
        }
        let stored = Users.isValidName(username) ? try await store.passwordHash(name: username) : nil
        let ok = Passwords.verify(password, hash: stored?.hash ?? Passwords.decoy) && stored != nil
        guard ok, let stored else {
            try await store.appendAudit(action: "login_failed", ids: [], reason: "wrong user name or password", sha256: nil, details: details)
            let locked = try await store.recordLoginFailure(keys: keys, now: now.timeIntervalSince1970, policy: Self.throttle)
            for key in locked {
                try await store.appendAudit(action: "login_locked", ids: [], reason: "\(Self.throttle.maxFailures) failed sign-ins", sha256: nil,
                                 details: details.merging(["locked": key, "minutes": "\(Int(Self.throttle.lockSeconds / 60))"]) { a, _ in a })
            }
            return try self.form(request, context, message: "Wrong user name or password.", status: .unauthorized)
        }
        try await store.clearLoginFailures(key: "user:" + username)
        // A new session id at every login (no fixation); the old cookie's session ends.
        if let old = request.cookies[AuthMiddleware.sessionCookie]?.value { try await store.deleteSession(idDigest: ServerState.sha256(old)) }
        let id = ServerState.randomToken()
        let lifetime = state.settings.sessionHours * 3600
        try await store.createSession(idDigest: ServerState.sha256(id), user: username, csrf: ServerState.randomToken(),
                            now: now.timeIntervalSince1970, lifetime: lifetime, address: address)
        try await store.appendAudit(action: "login", ids: [], reason: "signed in", sha256: nil, details: details.merging(["role": stored.role.rawValue]) { a, _ in a })
        var next = form["next"] ?? "/calls"
        // Only a local path: never an open redirect.
        if !next.hasPrefix("/") || next.hasPrefix("//") || next.hasPrefix("/\\") || next.hasPrefix("/login") { next = "/calls" }
        var response = Responses.redirect(next)
        response.setCookie(Cookie(name: AuthMiddleware.sessionCookie, value: id, maxAge: Int(lifetime), path: "/",
                                  secure: context.secure, httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", secure: context.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request, _ context: ServerContext) async throws -> Response {
        if let p = context.principal, case .session(let digest) = p.via {
            try await state.store.deleteSession(idDigest: digest)
            try await state.store.appendAudit(action: "logout", ids: [], reason: "signed out", sha256: nil,
                                                    details: ["by": p.name, "address": context.clientAddress ?? "unknown"])
        }
        var response = Responses.redirect("/login")
        response.setCookie(Cookie(name: AuthMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: context.secure,
                                  httpOnly: true, sameSite: .strict))
        return response
    }
}
