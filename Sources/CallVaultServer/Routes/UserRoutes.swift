import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// Users (role admin): list, add, remove, set a password. The same library calls as `callvault user`.
struct UserRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .admin))
        routes.get("/users") { _, context in try await self.page(context, message: nil) }
        routes.post("/users") { request, context in try await self.add(request, context) }
        routes.post("/users/{name}/remove") { _, context in try await self.remove(context) }
        routes.post("/users/{name}/password") { request, context in try await self.password(request, context) }
        routes.get("/api/users") { _, _ in Responses.json(.ok, try await self.state.store.users()) }
        return routes
    }

    func add(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let name = form["name"] ?? ""
        guard let role = Users.Role(rawValue: form["role"] ?? "") else { return try await page(context, message: "Choose a role.", status: .badRequest) }
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        if let problem = Passwords.problem(password) { return try await page(context, message: problem, status: .badRequest) }
        do {
            try await state.store.addUser(name: name, role: role, passwordHash: Passwords.hash(password, cost: state.settings.bcryptCost), now: state.now())
        } catch let e as Users.UserError { return try await page(context, message: e.description, status: .badRequest) }
        return try await page(context, message: "User \(name) added as \(role.rawValue).")
    }

    func remove(_ context: ServerContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard name != context.principal?.name else { return try await page(context, message: "You cannot remove yourself.", status: .badRequest) }
        do { try await state.store.removeUser(name: name, now: state.now()) } catch let e as Users.UserError {
            return try await page(context, message: e.description, status: .notFound)
        }
        return try await page(context, message: "User \(name) removed.")
    }

    func password(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let name = context.parameters.get("name") ?? ""
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        if let problem = Passwords.problem(password) { return try await page(context, message: problem, status: .badRequest) }
        do {
            try await state.store.setPasswordHash(name: name, passwordHash: Passwords.hash(password, cost: state.settings.bcryptCost), now: state.now())
        } catch let e as Users.UserError { return try await page(context, message: e.description, status: .notFound) }
        return try await page(context, message: "Password of \(name) changed; their sessions ended.")
    }

    func page(_ context: ServerContext, message: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let p = context.principal!
        let e = HTML.escape
        var body = message.map { "<p class=\"message\">\(e($0))</p>" } ?? ""
        body += "<table class=\"users\"><thead><tr><th>Name</th><th>Role</th><th>Created</th><th>Password changed</th><th>API token</th><th></th></tr></thead><tbody>"
        for u in try await state.store.users() {
            let path = u.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? u.name
            body += "<tr><td>\(e(u.name))</td><td>\(u.role.rawValue)</td><td>\(e(u.createdAt))</td><td>\(e(u.passwordChangedAt))</td><td>\(u.hasToken ? "yes" : "no")</td><td>"
            body += "<form method=\"post\" action=\"/users/\(e(path))/password\">\(HTML.csrfField(p))<input type=\"password\" name=\"password\" autocomplete=\"new-password\" placeholder=\"new password\" required> <button>Set password</button></form>"
            if u.name != p.name {
                body += "<form method=\"post\" action=\"/users/\(e(path))/remove\">\(HTML.csrfField(p))<button>Remove</button></form>"
            }
            body += "</td></tr>"
        }
        body += """
        </tbody></table>
        <h2>Add a user</h2>
        <form method="post" action="/users" class="filters">\(HTML.csrfField(p))
        <label>Name <input name="name" required></label>
        <label>Role <select name="role"><option>qa</option><option>compliance</option><option>admin</option></select></label>
        <label>Password <input type="password" name="password" autocomplete="new-password" required></label>
        <button>Add</button></form>
        <p>API tokens are issued on the server: <code>callvault user token NAME</code>.</p>
        """
        return Responses.html(status, HTML.page(title: "Users", principal: p, body: body))
    }
}
