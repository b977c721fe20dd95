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
        routes.get("/reports/{name}") { request, context in try await self.page(request, context) }
        routes.get("/api/reports/{name}") { request, context in try await self.api(request, context) }
        return routes
    }

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// The filter a request asks for (`since`, `until`, `campaign`, `tz`) and its clock; refused
    /// for a report not in ``names``.
    func filter(_ name: String, _ form: FormData) throws -> (filter: ReportFilter, now: Date) {
        var f = ReportFilter()
        let now = state.now()
        if let tz = form["tz"] {
            guard let zone = TimeZone(identifier: tz) else { throw Invalid(description: "tz: unknown time zone \(tz.debugDescription)") }
            f.timeZone = zone
        }
        func time(_ key: String, end: Bool) throws -> Date? {
            guard let text = form[key] else { return nil }
            // `until` as `--until` reads it: a bare date (or today, yesterday) is that whole day.
            guard let d = end ? Timestamp.parseEndBoundary(text, timeZone: f.timeZone, now: now)
                              : Timestamp.parseBoundary(text, timeZone: f.timeZone, now: now) else {
                throw Invalid(description: "\(key): \(text.debugDescription) is not a date or a time")
            }
            return d
        }
        f.since = try time("since", end: false)
        f.until = try time("until", end: true)
        f.campaigns = form.all("campaign")
        guard Self.names.contains(name) else {
            throw Invalid(description: "no report \(name.debugDescription) (known: \(Self.names.joined(separator: ", ")))")
        }
        return (f, now)
    }

    /// The tables of report `name` (one of ``names``) over `index`.
    static func tables(_ name: String, _ form: FormData, index: ReportIndex, filter f: ReportFilter, now: Date) throws -> [ReportTable] {
        switch name {
        case "summary":
            guard let by = SummaryReport.Grouping(rawValue: form["by"] ?? "day") else {
                throw Invalid(description: "by must be one of \(SummaryReport.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return [try SummaryReport.run(index, filter: f, by: by)]
        case "missed":
            return [try MissedReport.run(index, filter: f, unreturnedOnly: ["1", "true", "on"].contains(form["unreturned"] ?? ""))]
        case "callers":
            guard let top = Int(form["top"] ?? "10"), (1...1000).contains(top) else { throw Invalid(description: "top must be 1 to 1000") }
            let (a, b) = try CallersReport.run(index, filter: f, top: top)
            return [a, b]
        case "area-codes": return [try AreaCodesReport.run(index, filter: f)]
        case "hours": return [try HoursReport.run(index, filter: f)]
        case "dead-air":
            guard let t = Double(form["threshold"] ?? "10"), t >= 0, t < 86400 else { throw Invalid(description: "threshold must be seconds") }
            return [try DeadAirReport.run(index, filter: f, thresholdMs: Int(t * 1000))]
        case "compare":
            let keywords = form.all("keyword")
            guard !f.campaigns.isEmpty || !keywords.isEmpty else { throw Invalid(description: "compare needs a campaign or a keyword") }
            // FROM..TO read as `report compare` reads --before/--after (the same figures).
            func period(_ key: String) throws -> CompareReport.Period {
                do { return try CompareReport.Period.parse(form[key] ?? "", timeZone: f.timeZone, now: now) } catch let e as CompareReport.Period.ParseError {
                    throw Invalid(description: e.message(for: key))
                }
            }
            return [try CompareReport.run(index, filter: f, before: period("before"), after: period("after"), keywords: keywords)]
        case "callbacks":
            return [try CallbacksReport.run(index, filter: f)]
        default:
            throw Invalid(description: "no report \(name.debugDescription) (known: \(names.joined(separator: ", ")))")
        }
    }

    func api(_ request: Request, _ context: ServerContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        do {
            let form = FormData(request.uri.query ?? "")
            let (filter, now) = try self.filter(name, form)
            // Read where the index's reads may block (``ServerStore/reports(_:)``).
            let tables = try await state.store.reports { try Self.tables(name, form, index: $0, filter: filter, now: now) }
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

    func page(_ request: Request, _ context: ServerContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        let form = FormData(request.uri.query ?? "")
        let tables: [ReportTable], charts: HTMLReport.Charts
        do {
            let (filter, now) = try self.filter(name, form)
            (tables, charts) = try await state.store.reports {
                (try Self.tables(name, form, index: $0, filter: filter, now: now), try HTMLReport.charts($0, filter: filter))
            }
        } catch let e as Invalid {
            guard Self.names.contains(name) else {
                return Responses.failure(.notFound, e.description, request: request, principal: context.principal)
            }
            // A known report asked wrongly (or opened bare, as compare is from the list): its form
            // again, filled in as sent, with what to fix.
            let body = "<p class=\"error\">\(HTML.escape(e.description))</p>" + ReportForm(name: name, form: form).html
            return Responses.html(.badRequest, HTML.page(title: "Report \(name)", principal: context.principal, body: body))
        }
        var html = HTMLReport.render(tables: tables, charts: charts, generatedAt: state.now())
        // The report's own page, with a filter form and the way back, after <body>.
        let bar = """
        <nav class="report-nav"><a href="/calls">Calls</a> · <a href="/reports">Reports</a></nav>
        \(ReportForm(name: name, form: form).html)
        """
        if let r = html.range(of: "<body>") { html.insert(contentsOf: bar, at: r.upperBound) }
        var response = Responses.html(.ok, html)
        // The report is one self-contained document with a <style> element and style attributes in
        // its SVG: styles may be inline here; scripts stay forbidden.
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.csp + "; style-src 'self' 'unsafe-inline'"
        return response
    }
}
