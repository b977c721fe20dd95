import CallVaultReports

/// The filter form above a report page, filled in with the request's values: since, until,
/// campaign, time zone for every report; `by` (a choice of every summary grouping) for summary;
/// before, after and keyword for compare, the fields `report compare --before/--after/--keyword`
/// has. It submits to the same page with GET, so a report's address is its query.
struct ReportForm {
    let name: String
    let form: FormData

    var html: String {
        let e = HTML.escape
        var fields = """
        <label>Since <input name="since" value="\(e(form["since"]))"></label> <label>Until <input name="until" value="\(e(form["until"]))"></label>
        <label>Campaign <input name="campaign" value="\(e(form["campaign"]))"></label> <label>Time zone <input name="tz" value="\(e(form["tz"] ?? "UTC"))"></label>
        """
        switch name {
        case "summary":
            let chosen = form["by"] ?? SummaryReport.Grouping.day.rawValue
            let options = SummaryReport.Grouping.allCases.map { g in
                "<option value=\"\(e(g.rawValue))\"\(g.rawValue == chosen ? " selected" : "")>\(e(g.rawValue))</option>"
            }.joined()
            fields += "\n<label>By <select name=\"by\">\(options)</select></label>"
        case "compare":
            fields += """

            <label>Before <input name="before" value="\(e(form["before"]))" placeholder="2026-10-01..2026-10-31"></label> \
            <label>After <input name="after" value="\(e(form["after"]))" placeholder="2026-11-01..2026-11-30"></label>
            """
            // One field per keyword asked for (the address may repeat it), and one at least.
            let keywords = form.all("keyword")
            for keyword in keywords.isEmpty ? [""] : keywords {
                fields += "\n<label>Keyword <input name=\"keyword\" value=\"\(e(keyword))\"></label>"
            }
        default:
            break
        }
        let query = FormData.encode(form.pairs.map { ($0.name, $0.value) })
        return """
        <form method="get" action="/reports/\(e(name))">
        \(fields)
        <button>Show</button> <a href="/api/reports/\(e(name))?\(e(query))">JSON</a></form>
        """
    }
}
