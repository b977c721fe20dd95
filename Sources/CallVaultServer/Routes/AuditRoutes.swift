import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// The audit log (role compliance): the page, filterable by action and time, with the chain's
/// status, and `GET /api/audit?action=…&since=…&limit=…`.
struct AuditRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .compliance))
        routes.get("/audit") { request, context in try await self.page(request, context) }
        routes.get("/api/audit") { request, context in try await self.api(request, context) }
        return routes
    }

    struct Invalid: Error, CustomStringConvertible { let description: String }

    func entries(_ form: FormData) async throws -> [AuditLog.Entry] {
        var since: Date?
        if let s = form["since"] {
            guard let d = Timestamp.parseBoundary(s, now: state.now()) else { throw Invalid(description: "since: \(s.debugDescription) is not a date or a time") }
            since = d
        }
        var limit = 500
        if let l = form["limit"] {
            guard let n = Int(l), (1...100_000).contains(n) else { throw Invalid(description: "limit must be 1 to 100000") }
            limit = n
        }
        let action = form["action"]
        if let action, action.count > 64 || !action.allSatisfy({ $0.isLetter || $0 == "_" }) {
            throw Invalid(description: "action: \(action.debugDescription) is not an action name")
        }
        return try await state.store.auditEntries(since: since, action: action, limit: limit)
    }

    func api(_ request: Request, _ context: ServerContext) async throws -> Response {
        do { return Responses.json(.ok, try await entries(FormData(request.uri.query ?? ""))) } catch let e as Invalid {
            return Responses.error(.badRequest, e.description)
        }
    }

    func page(_ request: Request, _ context: ServerContext) async throws -> Response {
        let form = FormData(request.uri.query ?? "")
        let e = HTML.escape
        let list: [AuditLog.Entry]
        do { list = try await entries(form) } catch let err as Invalid {
            return Responses.failure(.badRequest, err.description, request: request, principal: context.principal)
        }
        let broken = try await state.store.firstBrokenAuditLink()
        var body = broken.map { "<p class=\"error\">Chain broken at entry \($0.seq): \(e($0.reason))</p>" }
            ?? "<p class=\"message\">Hash chain intact (checked now, over every entry).</p>"
        body += """
        <form method="get" action="/audit" class="filters">
        <label>Action <input name="action" value="\(e(form["action"]))" placeholder="access, hold_added, login_failed…"></label>
        <label>Since <input name="since" value="\(e(form["since"]))"></label>
        <label>Newest <input name="limit" value="\(e(form["limit"] ?? "500"))"></label><button>Filter</button></form>
        <table class="audit"><thead><tr><th>#</th><th>At</th><th>Action</th><th>By</th><th>Address</th><th>Calls</th><th>Reason</th></tr></thead><tbody>
        """
        for x in list.reversed() {
            let ids = x.ids.prefix(3).map { "<a href=\"/calls/\(e($0))\">\(e($0))</a>" }.joined(separator: " ") + (x.ids.count > 3 ? " +\(x.ids.count - 3)" : "")
            body += "<tr><td>\(x.seq)</td><td>\(e(x.at))</td><td>\(e(x.action))</td><td>\(e(x.details["by"] ?? x.details["placed_by"] ?? x.details["removed_by"] ?? x.osUser))</td>"
            body += "<td>\(e(x.details["address"]))</td><td>\(ids)</td><td>\(e(x.reason))</td></tr>"
        }
        body += "</tbody></table>"
        return Responses.html(.ok, HTML.page(title: "Audit log", principal: context.principal, body: body))
    }
}
