import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// Legal holds (role compliance): the page (list, add with a preview of the matching calls,
/// release with a reason) and `GET/POST /api/holds`, `DELETE /api/holds/{name}`.
/// Every change goes through ``Holds`` (audited, `placed_by`/`removed_by` the signed-in user).
struct HoldRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .compliance))
        routes.get("/holds") { request, context in try await self.page(request, context, message: nil) }
        routes.post("/holds") { request, context in try await self.addFromForm(request, context) }
        routes.post("/holds/{name}/release") { request, context in try await self.releaseFromForm(request, context) }
        routes.get("/api/holds") { _, _ in Responses.json(.ok, try await self.state.store.holds(includeRemoved: false)) }
        routes.post("/api/holds") { request, context in try await self.apiAdd(request, context) }
        routes.delete("/api/holds/{name}") { request, context in try await self.apiRemove(request, context) }
        return routes
    }

    /// The `hold add` options as the API's JSON object (and the page's form).
    struct Input: Decodable {
        var name: String?
        var reason: String?
        var ids: [String]?
        var campaign: String?
        var caller: String?
        var trackingNumber: String?
        var since: String?
        var until: String?

        enum CodingKeys: String, CodingKey {
            case name, reason, ids, campaign, caller, since, until
            case trackingNumber = "tracking_number"
        }

        init(form: FormData) {
            name = form["name"]; reason = form["reason"]; campaign = form["campaign"]; caller = form["caller"]
            trackingNumber = form["tracking_number"]; since = form["since"]; until = form["until"]
            let ids = form.all("ids").flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\r" }).map(String.init) }
            self.ids = ids.isEmpty ? nil : ids
        }

        struct Invalid: Error, CustomStringConvertible { let description: String }

        /// The hold, checked and normalised as `hold add` does.
        func hold(by user: String, now: Date, countryCode: String, needsNameAndReason: Bool = true) throws -> Holds.Hold {
            let name = (self.name ?? "").trimmingCharacters(in: .whitespaces)
            let reason = (self.reason ?? "").trimmingCharacters(in: .whitespaces)
            if needsNameAndReason {
                guard !name.isEmpty, name.count <= 200 else { throw Invalid(description: "a hold needs a name (up to 200 characters)") }
                guard !reason.isEmpty else { throw Invalid(description: "a hold needs a reason") }
            }
            let utc = TimeZone(identifier: "UTC")!
            func time(_ text: String?, _ field: String, end: Bool) throws -> String? {
                guard let text, !text.isEmpty else { return nil }
                guard var d = Timestamp.parseBoundary(text, timeZone: utc, now: now) else {
                    throw Invalid(description: "\(field): \(text.debugDescription) is not a date or a time")
                }
                if end && text.trimmingCharacters(in: .whitespaces).count == 10 { d = d.addingTimeInterval(86400) }
                return Timestamp.format(d)
            }
            let ids = try self.ids?.map { id -> String in
                let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
                guard !id.isEmpty, id.count <= 200 else { throw Invalid(description: "ids: \(id.debugDescription) is not a call id") }
                return key
            }
            func number(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : NumberReading(countryCode: countryCode).read($0).stored } }
            return Holds.Hold(name: name, reason: reason, placedBy: user, placedAt: Timestamp.format(now),
                              callIDs: ids?.isEmpty == false ? ids : nil, campaign: campaign?.isEmpty == false ? campaign : nil,
                              caller: number(caller), trackingNumber: number(trackingNumber),
                              since: try time(since, "since", end: false), until: try time(until, "until", end: true))
        }
    }

    /// The answer to a placement (`calls`: covered now) or a release (`calls`: released).
    struct HoldChange: Encodable { let name: String; let calls: Int }

    /// How many calls a hold with these selectors would cover now.
    func preview(_ hold: Holds.Hold) async throws -> Int {
        var q = CallQuery()
        q.ids = hold.callIDs ?? []
        if let c = hold.campaign { q.campaigns = [c] }
        q.caller = hold.caller
        q.trackingNumber = hold.trackingNumber
        q.since = hold.since.flatMap(Timestamp.parseInstant)
        q.until = hold.until.flatMap(Timestamp.parseInstant)
        q.limit = 1
        return try await state.store.calls(q).total
    }

    func apiAdd(_ request: Request, _ context: ServerContext) async throws -> Response {
        let input: Input
        do { input = try await request.decode(as: Input.self, context: context) } catch {
            return Responses.error(.badRequest, "the body must be a JSON object with name, reason and selectors (ids, campaign, caller, tracking_number, since, until)")
        }
        do {
            let hold = try input.hold(by: context.principal!.name, now: state.now(), countryCode: state.settings.defaultCountryCode)
            let covered = try await state.store.addHold(hold).covered.count
            return Responses.json(.created, HoldChange(name: hold.name, calls: covered))
        } catch let e as Input.Invalid {
            return Responses.error(.badRequest, e.description)
        } catch let e as Holds.HoldError {
            if case .duplicate = e { return Responses.error(.conflict, e.description) }
            return Responses.error(.badRequest, e.description)
        }
    }

    func apiRemove(_ request: Request, _ context: ServerContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        var reason = FormData(request.uri.query ?? "")["reason"]
        if reason == nil, !body.isEmpty {
            reason = (try? JSONDecoder().decode([String: String].self, from: Data(body.utf8)))?["reason"]
        }
        guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Responses.error(.badRequest, "releasing a hold needs a reason (?reason=… or {\"reason\": …})")
        }
        do {
            let released = try await state.store.removeHold(name: name, by: context.principal!.name, reason: reason, now: state.now())
            return Responses.json(.ok, HoldChange(name: name, calls: released))
        } catch let e as Holds.HoldError {
            return Responses.error(.notFound, e.description)
        }
    }

    func addFromForm(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        do {
            let hold = try Input(form: form).hold(by: context.principal!.name, now: state.now(), countryCode: state.settings.defaultCountryCode)
            let covered = try await state.store.addHold(hold).covered.count
            return try await page(request, context, message: "Hold \(hold.name) placed; it covers \(covered) calls now, and later ones that match.")
        } catch let e as Input.Invalid {
            return try await page(request, context, message: e.description, status: .badRequest)
        } catch let e as Holds.HoldError {
            return try await page(request, context, message: e.description, status: .badRequest)
        }
    }

    func releaseFromForm(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let name = context.parameters.get("name") ?? ""
        guard let reason = form["reason"] else { return try await page(request, context, message: "Releasing a hold needs a reason.", status: .badRequest) }
        do {
            let released = try await state.store.removeHold(name: name, by: context.principal!.name, reason: reason, now: state.now())
            return try await page(request, context, message: "Hold \(name) released; \(released) calls follow the retention policy again.")
        } catch let e as Holds.HoldError {
            return try await page(request, context, message: e.description, status: .notFound)
        }
    }

    func page(_ request: Request, _ context: ServerContext, message: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let p = context.principal!
        let e = HTML.escape
        let query = FormData(request.method == .get ? request.uri.query ?? "" : "")
        var body = message.map { "<p class=\"message\">\(e($0))</p>" } ?? ""
        if query["preview"] != nil {
            do {
                let hold = try Input(form: query).hold(by: p.name, now: state.now(), countryCode: state.settings.defaultCountryCode, needsNameAndReason: false)
                body += hold.selectors.isEmpty ? "<p class=\"error\">Give at least one selector.</p>"
                    : "<p class=\"message\">Preview: <strong id=\"preview\">\(try await preview(hold))</strong> calls match these selectors now.</p>"
            } catch let err as Input.Invalid { body += "<p class=\"error\">\(e(err.description))</p>" }
        }
        let holds = try await state.store.holds(includeRemoved: query["all"] != nil)
        body += "<table class=\"holds\"><thead><tr><th>Name</th><th>Placed</th><th>By</th><th>Calls now</th><th>Selectors</th><th>Reason</th><th>Release</th></tr></thead><tbody>"
        for h in holds {
            let selectors = h.selectors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            body += "<tr><td>\(e(h.name))</td><td>\(e(h.placedAt))</td><td>\(e(h.placedBy))</td><td class=\"n\">\(h.calls ?? 0)</td><td>\(e(selectors))</td><td>\(e(h.reason))</td><td>"
            if h.removedAt == nil {
                body += "<form method=\"post\" action=\"/holds/\(e(h.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)))/release\">\(HTML.csrfField(p))<input name=\"reason\" placeholder=\"reason\" required> <button>Release</button></form>"
            } else {
                body += "released \(e(h.removedAt)) by \(e(h.removedBy)): \(e(h.removalReason))"
            }
            body += "</td></tr>"
        }
        body += "</tbody></table><p><a href=\"/holds?all=1\">Show released holds too</a></p>"
        let fields = """
        <label>Call ids <input name="ids" value="\(e(query["ids"]))" placeholder="c0123… c4567…"></label>
        <label>Campaign <input name="campaign" value="\(e(query["campaign"]))"></label>
        <label>Caller <input name="caller" value="\(e(query["caller"]))"></label>
        <label>Tracking number <input name="tracking_number" value="\(e(query["tracking_number"]))"></label>
        <label>Since <input name="since" value="\(e(query["since"]))" placeholder="2026-01-01"></label>
        <label>Until <input name="until" value="\(e(query["until"]))" placeholder="2026-12-31"></label>
        """
        body += """
        <h2>Place a hold</h2>
        <form method="get" action="/holds" class="filters"><input type="hidden" name="preview" value="1">\(fields)<button>Preview</button></form>
        <form method="post" action="/holds" class="filters">\(HTML.csrfField(p))
        <label>Name <input name="name" required></label><label>Reason <input name="reason" required></label>
        \(fields)<button>Place hold</button></form>
        """
        return Responses.html(status, HTML.page(title: "Legal holds", principal: p, body: body))
    }
}
