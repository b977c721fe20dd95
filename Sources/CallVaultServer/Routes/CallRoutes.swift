import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The calls family (role qa and above): the search page, a call's page, its audio, the CSV/JSON
/// downloads of a search, and `GET /api/calls`, `GET /api/calls/{id}`.
struct CallRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .qa))
        routes.get("/") { _, _ in Responses.redirect("/calls") }
        routes.get("/calls") { request, context in try await self.searchPage(request, context) }
        routes.get("/calls/{id}") { request, context in try await self.callPage(request, context) }
        routes.get("/calls/{id}/audio") { request, context in try await AudioRoute(state: self.state).handle(request, context) }
        routes.head("/calls/{id}/audio") { request, context in try await AudioRoute(state: self.state).handle(request, context) }
        routes.get("/export/calls.csv") { request, context in try await self.export(request, context, csv: true) }
        routes.get("/export/calls.json") { request, context in try await self.export(request, context, csv: false) }
        routes.get("/api/calls") { request, context in try await self.apiSearch(request, context) }
        routes.get("/api/calls/{id}") { request, context in try await self.apiCall(request, context) }
        return routes
    }

    private func filters(_ request: Request, maxLimit: Int = 1000) throws -> CallFilters {
        try CallFilters(FormData(request.uri.query ?? ""), countryCode: state.settings.defaultCountryCode,
                        defaultZone: state.settings.timeZone, now: state.now(), maxLimit: maxLimit)
    }

    /// The JSON objects of `query --format json`, `holds` and `caller_directory` included.
    private func outputs(_ records: [CallRecord]) async throws -> [CallRecord.Output] {
        let holds = try await state.store.holdNames(covering: records.map(\.id))
        let directory = try await state.store.directoryEntries(for: records.compactMap(\.caller))
        return records.map { $0.output(archiveRoot: state.settings.archiveRoot, holds: holds[$0.id] ?? [],
                                       directory: $0.caller.flatMap { directory[$0] }) }
    }

    /// `{"calls": [...], "page": P, "total": N}`, written directly (``CallRecord/Output/writeJSON(into:)``):
    /// the same bytes as `JSONEncoder` with sorted keys gave, at a fraction of its cost.
    func apiSearch(_ request: Request, _ context: ServerContext) async throws -> Response {
        let f: CallFilters
        do { f = try filters(request) } catch let e as CallFilters.Invalid { return Responses.error(.badRequest, e.description) }
        let result = try await state.store.calls(f.query)
        var json = JSONBytes(capacity: 64 + result.records.count * 2048)
        json.raw("{\"calls\":[")
        for (n, output) in try await outputs(result.records).enumerated() {
            if n > 0 { json.comma() }
            try output.writeJSON(into: &json)
        }
        json.raw("],\"page\":")
        json.int(f.page)
        json.raw(",\"total\":")
        json.int(result.total)
        json.close()
        return Responses.json(.ok, bytes: json.bytes)
    }

    func apiCall(_ request: Request, _ context: ServerContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
        guard let record = try await state.store.call(id: key) else { return Responses.error(.notFound, "no call \(id.debugDescription)") }
        return Responses.json(.ok, try await outputs([record])[0])
    }

    func export(_ request: Request, _ context: ServerContext, csv: Bool) async throws -> Response {
        var f: CallFilters
        do { f = try filters(request, maxLimit: 100_000) } catch let e as CallFilters.Invalid { return Responses.failure(.badRequest, e.description, request: request, principal: context.principal) }
        if FormData(request.uri.query ?? "")["limit"] == nil { f.query.limit = 100_000; f.query.offset = 0 }
        let records = try await state.store.calls(f.query).records
        var response: Response
        if csv {
            var text = CSVWriter.line(CallRecord.csvColumns) + "\n"
            for r in records { text += CSVWriter.line(r.csvValues(archiveRoot: state.settings.archiveRoot)) + "\n" }
            response = Responses.text(.ok, text, type: "text/csv; charset=utf-8")
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            response = Responses.text(.ok, String(decoding: try encoder.encode(try await outputs(records)), as: UTF8.self) + "\n",
                                      type: "application/json; charset=utf-8")
        }
        response.headers[.contentDisposition] = "attachment; filename=\"calls.\(csv ? "csv" : "json")\""
        return response
    }

    // MARK: Pages

    func searchPage(_ request: Request, _ context: ServerContext) async throws -> Response {
        let f: CallFilters
        do { f = try filters(request, maxLimit: 200) } catch let e as CallFilters.Invalid {
            return Responses.html(.badRequest, HTML.page(title: "Calls", principal: context.principal,
                                                         body: "<p class=\"error\">\(HTML.escape(e.description))</p><p><a href=\"/calls\">Clear the filters</a></p>"))
        }
        let result = try await state.store.listing(f.query)
        let campaigns = try await state.campaigns.names(state.store, now: state.now())
        let chosen = Set(f.query.campaigns)
        func value(_ name: String) -> String { HTML.escape(f.form[name]) }
        func option(_ v: String, _ label: String, _ current: String?) -> String {
            "<option value=\"\(HTML.escape(v))\"\(current == v ? " selected" : "")>\(HTML.escape(label))</option>"
        }
        var body = """
        <form method="get" action="/calls" class="filters">
        <label>Campaign <select name="campaign" multiple size="4">\(campaigns.map { "<option\(chosen.contains($0) ? " selected" : "")>\(HTML.escape($0))</option>" }.joined())</select></label>
        <label>Source <input name="source" value="\(value("source"))"></label>
        <label>Tracking number <input name="tracking_number" value="\(value("tracking_number"))"></label>
        <label>Caller <input name="caller" value="\(value("caller"))"></label>
        <label>Caller name <input name="caller_name" value="\(value("caller_name"))"></label>
        <label>Outcome <select name="outcome">\(option("", "any", f.form["outcome"]))\(Outcome.allCases.map { option($0.rawValue, $0.rawValue, f.form["outcome"]) }.joined())</select></label>
        <label>Since <input name="since" value="\(value("since"))" placeholder="2026-11-01"></label>
        <label>Until <input name="until" value="\(value("until"))" placeholder="2026-11-30"></label>
        <label>Time zone <input name="tz" value="\(HTML.escape(f.form["tz"] ?? f.timeZone.identifier))"></label>
        <label>Min. duration (s) <input name="min_duration" value="\(value("min_duration"))" inputmode="decimal"></label>
        <label><input type="checkbox" name="unassigned" value="1"\(f.query.unassigned ? " checked" : "")> Unassigned only</label>
        <label>Sort <select name="sort">\(option("started_at", "start time", f.form["sort"]))\(option("duration", "duration", f.form["sort"]))</select></label>
        <label>Order <select name="order">\(option("desc", "newest / longest first", f.form["order"]))\(option("asc", "oldest / shortest first", f.form["order"]))</select></label>
        <button>Search</button>
        </form>
        """
        // One allocation for the page: fifty rows of appends would otherwise regrow it several times.
        body.reserveCapacity(body.utf8.count + 400 * result.rows.count + 1024)
        let q = f.encoded()
        let first = result.total == 0 ? 0 : f.query.offset + 1
        body += "<p class=\"count\"><span id=\"total\">\(result.total)</span> calls; showing \(first)–\(f.query.offset + result.rows.count). "
        body += "Download: <a href=\"/export/calls.csv?\(HTML.escape(q))\">CSV</a> · <a href=\"/export/calls.json?\(HTML.escape(q))\">JSON</a></p>"
        let local = LocalTime(zone: f.timeZone)
        // The call page keeps the zone the list was read in.
        let zoneQuery = f.form["tz"].map { "?tz=" + HTML.escape(FormData.encode([("", $0)]).dropFirst().description) } ?? ""
        body += "<table class=\"calls\"><thead><tr><th>Started (\(HTML.escape(local.name)))</th><th>UTC</th><th>Campaign</th><th>Caller</th><th>Tracking number</th><th>Outcome</th><th>Duration</th><th>Talk</th></tr></thead><tbody>"
        // Each piece appended as it is: an interpolated line would be a temporary string per line.
        for r in result.rows {
            body += "<tr><td><a href=\"/calls/"; body += r.id; body += zoneQuery; body += "\">"
            body += HTML.escape(local.text(r.startedAt)); body += "</a></td><td class=\"utc\">"
            body += HTML.escape(r.startedAtUTC); body += "</td><td>"; body += HTML.escape(r.campaign ?? "—"); body += "</td><td>"
            body += HTML.escape(r.caller ?? "anonymous")
            if let place = r.callerPlace { body += " <small>"; body += HTML.escape(place); body += "</small>" }
            body += "</td><td>"; body += HTML.escape(r.trackingNumber); body += "</td><td class=\""
            body += HTML.escape(r.outcome.rawValue); body += "\">"; body += HTML.escape(r.outcome.rawValue)
            body += "</td><td class=\"n\">"; body += Self.seconds(r.durationMs); body += "</td><td class=\"n\">"
            body += Self.seconds(r.talkMs); body += "</td></tr>"
        }
        body += "</tbody></table>"
        let pages = max(1, (result.total + f.pageSize - 1) / f.pageSize)
        body += "<nav class=\"pages\">"
        if f.page > 1 { body += "<a rel=\"prev\" href=\"/calls?\(HTML.escape(q.isEmpty ? "" : q + "&"))page=\(f.page - 1)\">← Previous</a> " }
        body += "Page \(f.page) of \(pages)"
        if f.page < pages { body += " <a rel=\"next\" href=\"/calls?\(HTML.escape(q.isEmpty ? "" : q + "&"))page=\(f.page + 1)\">Next →</a>" }
        body += "</nav>"
        return Responses.html(.ok, HTML.page(title: "Calls", principal: context.principal, body: body))
    }

    /// The directory entry in readable form: name, company, then the address on one line, then ids.
    static func directoryText(_ d: CallerDirectoryEntry) -> String {
        let address = [d.address, d.city, d.region, d.postalCode, d.country].compactMap { $0 }.joined(separator: ", ")
        let parts = [d.name, d.company, address.isEmpty ? nil : address, d.customerID.map { "customer \($0)" }, d.email]
        return HTML.escape(parts.compactMap { $0 }.joined(separator: " — "))
    }

    /// The attribution: its method, then the session or request and the web fields it carries.
    static func attributionText(_ a: CallAttribution) -> String {
        let described: String = switch a.method {
        case .number: "by tracking number (registry)"
        case .poolSession: "pool session"
        case .poolFallback: "pool number, no session active (the pool's campaign)"
        case .callback: "web call-back"
        case .none: "none"
        }
        let fields = CallAttribution.fieldNames.dropFirst().compactMap { name in a.value(name).map { "\(name) \($0)" } }
        return HTML.escape(([described] + fields).joined(separator: " · "))
    }

    /// m:ss, without `String(format:)` (it was a twentieth of a search page's time).
    static func seconds(_ ms: Int) -> String {
        let s = (ms / 1000) % 60
        return "\(ms / 60000):\(s < 10 ? "0" : "")\(s)"
    }

    func callPage(_ request: Request, _ context: ServerContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard RecordID.isWellFormed(id) else {
            return Responses.failure(.badRequest, "\(id.debugDescription) is not a call id", request: request, principal: context.principal)
        }
        guard let r = try await state.store.call(id: id) else {
            return Responses.failure(.notFound, "no call \(id)", request: request, principal: context.principal)
        }
        var zone = state.settings.timeZone
        if let tz = FormData(request.uri.query ?? "")["tz"] {
            guard let named = TimeZone(identifier: tz) else {
                return Responses.failure(.badRequest, "tz: unknown time zone \(tz.debugDescription)", request: request, principal: context.principal)
            }
            zone = named
        }
        let local = LocalTime(zone: zone)
        let holds = try await state.store.holdNames(covering: [id])[id] ?? []
        func row(_ k: String, _ v: String) -> String { "<tr><th>\(HTML.escape(k))</th><td>\(v)</td></tr>" }
        let e = HTML.escape
        var body = ""
        if let purged = r.audioPurgedAt {
            body += "<p class=\"purged\">The audio was purged on \(e(IndexTime.text(purged))) under retention rule \(e(r.retentionRule ?? "unknown")).</p>"
        } else {
            body += "<audio id=\"player\" controls preload=\"metadata\" src=\"/calls/\(r.id)/audio\"></audio>"
            body += " <a href=\"/calls/\(r.id)/audio?download=1\" download>Download (\(e(r.exportFileName)))</a>"
        }
        body += CallTimeline(record: r).html
        let redactions = RedactionList(record: r)
        body += redactions.html
        let a = state.settings.analysis
        let talk = "talk \(Self.seconds(r.talkMs))", threshold = Self.seconds(a.answeredTalkMs)
        let why: String = switch r.outcome {
        case .answered: "\(talk) ≥ the answered threshold \(threshold)"
        case .missed: "\(talk) < \(threshold); it rang \(Self.seconds(r.durationMs)) ≥ \(Self.seconds(a.missedMinDurationMs)) unanswered"
        case .abandoned: "\(talk) < \(threshold); the caller gave up after \(Self.seconds(r.durationMs)) (< \(Self.seconds(a.missedMinDurationMs)))"
        }
        body += "<table class=\"fields\">"
        body += row("Started (\(local.name))", "<span id=\"started-local\">\(e(local.text(r.startedAt)))</span>")
        body += row("Started (UTC)", "<span id=\"started-utc\">\(e(IndexTime.text(r.startedAt)))</span>")
        let callerLink = r.caller.map { "<a href=\"/calls?caller=\(e(FormData.encode([("", $0)]).dropFirst().description))\">\(e($0))</a>" } ?? "anonymous"
        body += row("Caller", callerLink + ([r.callerName, r.callerPlace, r.callerRegion, r.callerCountry].compactMap { $0 }.isEmpty ? "" :
                        " — " + e([r.callerName, r.callerPlace, r.callerRegion, r.callerCountry].compactMap { $0 }.joined(separator: ", "))))
        if let caller = r.caller, let entry = try await state.store.directoryEntry(caller) {
            body += row("Directory", "<span id=\"caller-directory\">" + Self.directoryText(entry) + "</span>")
        }
        body += row("Campaign", r.campaign.map { "<a href=\"/calls?campaign=\(e(FormData.encode([("", $0)]).dropFirst().description))\">\(e($0))</a>" } ?? "unassigned")
        body += row("Source / medium", e([r.source, r.medium].compactMap { $0 }.joined(separator: " / ")))
        body += row("Tracking number", e(r.trackingNumber))
        if r.direction == .outbound {
            body += row("Direction", "outbound to \(e(r.callee ?? "—"))\(r.callbackRequestID.map { " (call-back request \(e($0)))" } ?? "")")
        }
        body += row("Attribution", "<span id=\"attribution\">" + Self.attributionText(r.callAttribution) + "</span>")
        body += row("Outcome", "<strong>\(e(r.outcome.rawValue))</strong> (\(e(why)))")
        body += row("Duration / talk", "\(Self.seconds(r.durationMs)) / \(Self.seconds(r.talkMs))")
        body += row("Longest silence", Self.seconds(r.longestSilenceMs))
        body += row("Redactions", redactions.isEmpty ? "none" : "<a href=\"#redactions\">\(e(redactions.summary))</a>")
        body += row("Channels", "\(r.channels)\(r.channelRoles.map { " (" + e($0.joined(separator: ", ")) + ")" } ?? "") at \(r.sampleRate) Hz")
        body += row("Audio kept until", e(r.retainAudioUntil.map(IndexTime.text) ?? "no retention rule applied yet"))
        body += row("Record kept until", e(r.retainRecordUntil.map(IndexTime.text) ?? "—"))
        body += row("Retention rule", e(r.retentionRule ?? "—"))
        body += row("Legal holds", holds.isEmpty ? "none" : "<span id=\"holds\">" + e(holds.joined(separator: ", ")) + "</span>")
        body += row("SHA-256", "<code>\(e(r.sha256))</code>")
        body += row("Call id / archive id", "\(e(r.callID)) / \(e(r.id))")
        body += "</table>"
        return Responses.html(.ok, HTML.page(title: "Call \(IndexTime.text(r.startedAt)) \(r.caller ?? "anonymous")", principal: context.principal, body: body,
                                             scripts: ["/assets/call.js"]))
    }
}
