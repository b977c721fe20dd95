import CallVaultCore
import CallVaultReports
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// Reports (role qa and above): `/reports` lists them, `/reports/{name}` renders one as the HTML
/// report of `report --format html`, `/api/reports/{name}` answers its JSON.
/// Parameters: `since`, `until`, `campaign` (repeatable), `tz`, and per report `by` (summary),
/// `unreturned` (missed), `top` (callers), `threshold` (dead-air), `before`/`after` and `keyword`
/// (compare, repeatable).
struct ReportRoutes {
    let state: ServerState
    static let names = ["summary", "missed", "callers", "area-codes", "hours", "dead-air", "compare", "callbacks"]

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .qa))
        routes.get("/reports") { _, context in self.index(context) }
        routes.get("/reports/{name}") { request, context in try self.page(request, context) }
        routes.get("/api/reports/{name}") { request, context in try self.api(request, context) }
        return routes
    }

    struct Invalid: Error, CustomStringConvertible { let description: String }

    func run(_ name: String, _ form: FormData) throws -> (tables: [ReportTable], filter: ReportFilter) {
        var f = ReportFilter()
        let now = state.now()
        if let tz = form["tz"] {
            guard let zone = TimeZone(identifier: tz) else { throw Invalid(description: "tz: unknown time zone \(tz.debugDescription)") }
            f.timeZone = zone
        }
        func time(_ key: String, end: Bool) throws -> Date? {
            guard let text = form[key] else { return nil }
            guard var d = Timestamp.parseBoundary(text, timeZone: f.timeZone, now: now) else {
                throw Invalid(description: "\(key): \(text.debugDescription) is not a date or a time")
            }
            if end && text.trimmingCharacters(in: .whitespaces).count == 10 {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = f.timeZone
                d = calendar.date(byAdding: .day, value: 1, to: d)!
            }
            return d
        }
        f.since = try time("since", end: false)
        f.until = try time("until", end: true)
        f.campaigns = form.all("campaign")
        let index = state.index
        switch name {
        case "summary":
            guard let by = SummaryReport.Grouping(rawValue: form["by"] ?? "day") else {
                throw Invalid(description: "by must be one of \(SummaryReport.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return ([try SummaryReport.run(index, filter: f, by: by)], f)
        case "missed":
            return ([try MissedReport.run(index, filter: f, unreturnedOnly: ["1", "true", "on"].contains(form["unreturned"] ?? ""))], f)
        case "callers":
            guard let top = Int(form["top"] ?? "10"), (1...1000).contains(top) else { throw Invalid(description: "top must be 1 to 1000") }
            let (a, b) = try CallersReport.run(index, filter: f, top: top)
            return ([a, b], f)
        case "area-codes": return ([try AreaCodesReport.run(index, filter: f)], f)
        case "hours": return ([try HoursReport.run(index, filter: f)], f)
        case "dead-air":
            guard let t = Double(form["threshold"] ?? "10"), t >= 0, t < 86400 else { throw Invalid(description: "threshold must be seconds") }
            return ([try DeadAirReport.run(index, filter: f, thresholdMs: Int(t * 1000))], f)
        case "compare":
            let keywords = form.all("keyword")
            guard !f.campaigns.isEmpty || !keywords.isEmpty else { throw Invalid(description: "compare needs a campaign or a keyword") }
            func period(_ key: String) throws -> CompareReport.Period {
                let parts = (form[key] ?? "").components(separatedBy: "..")
                guard parts.count == 2, let from = Timestamp.parseBoundary(parts[0], timeZone: f.timeZone, now: now),
                      var to = Timestamp.parseBoundary(parts[1], timeZone: f.timeZone, now: now) else {
                    throw Invalid(description: "\(key) must be FROM..TO, e.g. 2026-10-01..2026-10-31")
                }
                if parts[1].count == 10 { to = to.addingTimeInterval(86400) }
                guard from < to else { throw Invalid(description: "\(key): FROM must be before TO") }
                return .init(from: from, to: to)
            }
            return ([try CompareReport.run(index, filter: f, before: period("before"), after: period("after"), keywords: keywords)], f)
        case "callbacks":
            return ([try CallbacksReport.run(index, filter: f)], f)
        default:
            throw Invalid(description: "no report \(name.debugDescription) (known: \(Self.names.joined(separator: ", ")))")
        }
    }

    func api(_ request: Request, _ context: ServerContext) throws -> Response {
        let name = context.parameters.get("name") ?? ""
        do {
            let (tables, _) = try run(name, FormData(request.uri.query ?? ""))
            let text = tables.count == 1 ? try tables[0].json() : "[" + (try tables.map { try $0.json() }).joined(separator: ",\n") + "]"
            return Responses.jsonText(.ok, text)
        } catch let e as Invalid {
            return Responses.error(Self.names.contains(name) ? .badRequest : .notFound, e.description)
        }
    }

    func index(_ context: ServerContext) -> Response {
        var body = "<ul class=\"reports\">"
        for n in Self.names { body += "<li><a href=\"/reports/\(n)\">\(n)</a></li>" }
        body += "</ul><p>Each takes since, until, campaign (repeatable) and tz; add them to the address or use the form on the report.</p>"
        return Responses.html(.ok, HTML.page(title: "Reports", principal: context.principal, body: body))
    }

    func page(_ request: Request, _ context: ServerContext) throws -> Response {
        let name = context.parameters.get("name") ?? ""
        let form = FormData(request.uri.query ?? "")
        let tables: [ReportTable], filter: ReportFilter
        do { (tables, filter) = try run(name, form) } catch let e as Invalid {
            return Responses.failure(Self.names.contains(name) ? .badRequest : .notFound, e.description, request: request, principal: context.principal)
        }
        var html = HTMLReport.render(tables: tables, charts: try HTMLReport.charts(state.index, filter: filter), generatedAt: state.now())
        // The report's own page, with a filter form and the way back, after <body>.
        let e = HTML.escape
        let bar = """
        <nav class="report-nav"><a href="/calls">Calls</a> · <a href="/reports">Reports</a></nav>
        <form method="get" action="/reports/\(e(name))">
        <label>Since <input name="since" value="\(e(form["since"]))"></label> <label>Until <input name="until" value="\(e(form["until"]))"></label>
        <label>Campaign <input name="campaign" value="\(e(form["campaign"]))"></label> <label>Time zone <input name="tz" value="\(e(form["tz"] ?? "UTC"))"></label>
        \(name == "summary" ? "<label>By <input name=\"by\" value=\"\(e(form["by"] ?? "day"))\"></label>" : "")
        <button>Show</button> <a href="/api/reports/\(e(name))?\(e(FormData.encode(form.pairs.map { ($0.name, $0.value) })))">JSON</a></form>
        """
        if let r = html.range(of: "<body>") { html.insert(contentsOf: bar, at: r.upperBound) }
        var response = Responses.html(.ok, html)
        // The report is one self-contained document with a <style> element and style attributes in
        // its SVG: styles may be inline here; scripts stay forbidden.
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.csp + "; style-src 'self' 'unsafe-inline'"
        return response
    }
}
