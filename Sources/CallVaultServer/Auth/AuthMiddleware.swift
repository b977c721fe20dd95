import CallVaultStore
import Foundation
import Hummingbird
import HummingbirdAuth
import HTTPTypes

/// Finds the principal (a Bearer token, else the session cookie), refuses anonymous requests to
/// every route but the public ones, and checks the CSRF token of state-changing cookie requests.
///
/// It runs on every route of the router: a route added later is protected without doing anything.
/// Anonymous `/api/…`, audio and `/metrics` get `401 {"error": …}`; anonymous pages redirect to `/login`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let state: ServerState

    static let sessionCookie = "cv_session"
    /// The only routes an anonymous request reaches.
    static let publicPaths: Set<String> = ["/login", "/healthz", "/favicon.ico"]
    static func isPublic(_ path: String) -> Bool { publicPaths.contains(path) || path.hasPrefix("/assets/") }

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        resolveClient(request, &context)
        let now = state.now().timeIntervalSince1970
        let path = request.uri.path
        let cookie = request.cookies[Self.sessionCookie]?.value

        if let bearer = request.headers.bearer?.token {
            guard let user = try await state.store.user(tokenDigest: ServerState.sha256(bearer)) else {
                return Responses.error(.unauthorized, "the API token is not valid")
            }
            context.principal = Principal(name: user.name, role: user.role, via: .token, csrf: nil)
        } else if let cookie, !cookie.isEmpty {
            let digest = ServerState.sha256(cookie)
            if let s = try await state.store.session(idDigest: digest, now: now) {
                context.principal = Principal(name: s.user, role: s.role, via: .session(idDigest: digest), csrf: s.csrf)
            }
        }

        if context.principal == nil && !Self.isPublic(path) {
            if Responses.wantsJSON(request) {
                var r = Responses.error(.unauthorized, "sign in first: a session cookie from /login or an Authorization: Bearer token")
                r.headers[.wwwAuthenticate] = "Bearer realm=\"callvault\""
                return r
            }
            let target = request.uri.string
            return Responses.redirect("/login?next=" + String(FormData.encode([("", target)]).dropFirst()))
        }

        // CSRF: a cookie session's state-changing request carries the session's token, in the
        // X-CSRF-Token header or the form field `csrf`. A token request without a cookie is exempt.
        if let principal = context.principal, !Self.isSafe(request.method), cookie != nil || principal.via != .token {
            if case .session = principal.via {
                var sent = request.headers[HTTPField.Name("X-CSRF-Token")!]
                if sent == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                    let body = try await request.collectBody(upTo: context.maxUploadSize)
                    sent = FormData(String(buffer: body))["csrf"]
                }
                guard let sent, let expected = principal.csrf, Self.constantTimeEqual(sent, expected) else {
                    return Responses.failure(.forbidden, "missing or wrong CSRF token; reload the page and try again", request: request, principal: principal)
                }
            } else if cookie != nil {
                // A token together with a cookie: the cookie's session must vouch for the request too.
                return Responses.failure(.forbidden, "missing or wrong CSRF token", request: request, principal: principal)
            }
        }
        let response = try await next(request, context)
        state.metrics.count(status: Int(response.status.code))
        return response
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool { method == .get || method == .head || method == .options }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// The client address and scheme, believing `X-Forwarded-*` only from a trusted proxy.
    func resolveClient(_ request: Request, _ context: inout ServerContext) {
        context.secure = state.settings.tlsCert != nil
        guard let peer = context.peerAddress, state.settings.trustedProxies.contains(peer) else { return }
        if let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!] {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            // The nearest hop that is not one of our proxies is the client.
            if let client = hops.reversed().first(where: { !state.settings.trustedProxies.contains($0) }) ?? hops.first {
                context.clientAddress = client
            }
        }
        if request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" { context.secure = true }
    }
}

/// Refuses principals below a role: 403 (JSON for the API, a page otherwise).
struct RequireRole: RouterMiddleware {
    typealias Context = ServerContext
    let role: Users.Role

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        guard let p = context.principal else {
            return Responses.failure(.unauthorized, "sign in first", request: request, principal: nil)
        }
        guard p.role >= role else {
            return Responses.failure(.forbidden, "this needs the \(role.rawValue) role; you are \(p.role.rawValue)", request: request, principal: p)
        }
        return try await next(request, context)
    }
}

/// The security headers on every response: CSP (`default-src 'self'`, `frame-ancestors 'none'`),
/// nosniff, a strict referrer policy. A route that must relax the CSP sets its own header first.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    static let csp = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = Responses.failure(error.status, error.body ?? error.status.reasonPhrase, request: request, principal: context.principal)
        }
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.csp }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }
}
