import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// One self-contained HTML file: the report's table and four inline SVG charts (daily trend,
/// hour × weekday heat map, outcome split, top area codes). No script, no network; prints on paper.
public enum HTMLReport {
    public struct Charts: Sendable {
        public var days: [(day: String, calls: Int, answered: Int)] = []
        public var hours: [[Int]] = []
        public var outcomes: [(Outcome, Int)] = []
        public var areaCodes: [(String, Int)] = []
        /// Calls and answered calls per `source / medium`, the 12 largest.
        public var sourceMedium: [(label: String, calls: Int, answered: Int)] = []
    }

    /// The charts' numbers: from the per-quarter aggregates (days, hours and outcomes from
    /// `report_quarters`, area codes from `report_area_quarters`), or from every matching call
    /// with `--exact-scan` or in a zone whose offset is not a whole number of quarters.
    public static func charts(_ index: CallIndex, filter: ReportFilter) throws -> Charts {
        if let charts = try aggregatedCharts(index, filter: filter) { return charts }
        var tally = ChartTally(zone: filter.timeZone)
        try CallFacts.forEach(index, filter) { c in
            let l = tally.clock.local(c.epoch)
            tally.add(local: l, outcome: c.outcome, calls: 1)
            // The chart is of NANP area codes: anonymous callers and other countries are in the table, not here.
            if let area = c.areaCode { tally.areas["\(area) \(c.place ?? c.region ?? "")", default: 0] += 1 }
        }
        var charts = tally.charts()
        charts.sourceMedium = try sourceMedium(index, filter)
        return charts
    }

    /// The charts from the aggregates (days, hours and outcomes from `report_quarters`, area codes
    /// from `report_area_quarters`, `source / medium` from the per-day number tables); nil when
    /// the index has not all of them, with `--exact-scan`, or in a zone whose offset is not a
    /// whole number of quarters.
    static func aggregatedCharts(_ index: any ReportAggregateStore, filter: ReportFilter) throws -> Charts? {
        guard let source = try AggregateSource.make(index, filter), try index.aggregateAvailability().areas,
              let dimensions = try DimensionSource.make(index, filter) else { return nil }
        var tally = ChartTally(zone: filter.timeZone)
        var byLabel: [String: (calls: Int, answered: Int)] = [:]
        do {
            try index.readAggregates { db in
                for t in try source.quarters(db) {
                    let l = try tally.clock.localQuarter(t.q)
                    tally.add(local: l, outcome: t.outcome, calls: t.calls)
                }
                tally.areas = try source.areaCalls(db)
                for (k, s) in try dimensions.numberSums(db) {
                    let label = (k.source ?? "(none)") + " / " + (k.medium ?? "(none)")
                    byLabel[label, default: (0, 0)].calls += s.calls
                    byLabel[label]!.answered += s.answered
                }
            }
        } catch is NotQuarterAligned {
            return nil
        }
        var charts = tally.charts()
        charts.sourceMedium = largest(byLabel.map { (label: $0.key, calls: $0.value.calls, answered: $0.value.answered) })
        return charts
    }

    /// Calls and answered calls per `source / medium` of the matching calls, grouped by SQLite in
    /// one pass over the calls (the scan; ``aggregatedCharts(_:filter:)`` sums the per-day tables).
    static func sourceMedium(_ index: CallIndex, _ filter: ReportFilter) throws -> [(label: String, calls: Int, answered: Int)] {
        let (clause, arguments) = filter.query.whereClause()
        let rows = try index.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT coalesce(source, '(none)') || ' / ' || coalesce(medium, '(none)') AS label,
                       count(*) AS calls, sum(outcome = 'answered') AS answered
                FROM calls \(clause) GROUP BY label
                """, arguments: arguments)
        }
        var counts: [(label: String, calls: Int, answered: Int)] = []
        for row in rows {
            let label: String = row["label"], calls: Int = row["calls"], answered: Int = row["answered"]
            counts.append((label, calls, answered))
        }
        return largest(counts)
    }

    /// The chart's `source / medium` bars: the 12 with the most calls (ties by label).
    static func largest(_ counts: [(label: String, calls: Int, answered: Int)]) -> [(label: String, calls: Int, answered: Int)] {
        Array(counts.sorted { $0.calls != $1.calls ? $0.calls > $1.calls : $0.label < $1.label }.prefix(12))
    }

    /// Calls per local day, hour × weekday and outcome, and per area code, added call by call or quarter by quarter.
    struct ChartTally {
        var clock: Clock
        var days: [String: (Int, Int)] = [:]
        var hours = Array(repeating: Array(repeating: 0, count: 7), count: 24)
        var outcomes: [Outcome: Int] = [:]
        var areas: [String: Int] = [:]
        var dayLabels: [Int: String] = [:]

        init(zone: TimeZone) { clock = Clock(zone: zone) }

        /// `calls` calls of `outcome` at local seconds `l`.
        mutating func add(local l: Int, outcome: Outcome, calls: Int) {
            let dayNumber = Int((Double(l) / 86400).rounded(.down))
            let d = dayLabels[dayNumber] ?? Clock.day(l)
            dayLabels[dayNumber] = d
            days[d, default: (0, 0)].0 += calls
            if outcome == .answered { days[d, default: (0, 0)].1 += calls }
            hours[Clock.hourOfDay(l)][Clock.weekday(l)] += calls
            outcomes[outcome, default: 0] += calls
        }

        func charts() -> Charts {
            var charts = Charts()
            // Every day between the first and the last, days without calls at zero: the axis is time.
            if let first = dayLabels.keys.min(), let last = dayLabels.keys.max(), last - first <= 1000 {
                charts.days = (first...last).map { n in
                    let label = dayLabels[n] ?? Clock.day(n * 86400)
                    return (label, days[label]?.0 ?? 0, days[label]?.1 ?? 0)
                }
            } else {
                charts.days = days.keys.sorted().map { ($0, days[$0]?.0 ?? 0, days[$0]?.1 ?? 0) }
            }
            charts.hours = hours
            charts.outcomes = Outcome.allCases.map { ($0, outcomes[$0] ?? 0) }
            charts.areaCodes = areas.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map { ($0.key, $0.value) }
            return charts
        }
    }

    /// The page. `period` (``ReportFilter/periodDescription``) heads it, so a reader knows what the numbers cover.
    public static func render(tables: [ReportTable], charts: Charts, generatedAt: Date, period: String? = nil) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(tables.first?.title ?? "callvault report"))</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:24px;max-width:1100px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
        .meta{color:#5b6473;font-size:12px}.period{font-size:15px;margin:0 0 4px}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
        figure{margin:0;border:1px solid #dfe3ea;border-radius:6px;padding:12px;break-inside:avoid}
        figcaption{font-weight:600;margin-bottom:6px}
        table{border-collapse:collapse;width:100%;font-size:12px;margin-top:8px}
        th,td{border-bottom:1px solid #e6e9ef;padding:4px 6px;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        th{background:#f4f6f9}
        svg text{font:11px system-ui,sans-serif;fill:#333}
        @media print{body{margin:0}figure{border:none}.grid{grid-template-columns:1fr 1fr}}
        </style></head><body>
        <h1>\(escape(tables.first?.title ?? "callvault report"))</h1>
        \(period.map { "<p class=\"period\">Period: \(escape($0))</p>" } ?? "")
        <div class="meta">callvault \(CallVault.version) · generated \(Timestamp.format(generatedAt))</div>
        <div class="grid">
        <figure><figcaption>Calls per day</figcaption>\(trend(charts.days))</figure>
        <figure><figcaption>Outcomes</figcaption>\(outcomeBars(charts.outcomes))</figure>
        <figure><figcaption>Hour of day × weekday</figcaption>\(heatMap(charts.hours))</figure>
        <figure><figcaption>Top caller area codes (US, Canada and the Caribbean)</figcaption>\(bars(charts.areaCodes))</figure>
        <figure><figcaption>Calls and answer rate by source / medium</figcaption>\(sourceMediumBars(charts.sourceMedium))</figure>
        </div>
        """
        for table in tables {
            html += "<h2>\(escape(table.title))</h2>\n<table><thead><tr>"
            html += table.columns.map { "<th>\(escape(ReadableColumn.header($0)))</th>" }.joined()
            html += "</tr></thead><tbody>\n"
            for row in table.rows {
                html += "<tr>" + zip(table.columns, row).map { column, v -> String in
                    switch v {
                    case .int, .number: "<td class=\"n\">\(escape(ReadableColumn.cell(column, v)))</td>"
                    default: "<td>\(escape(ReadableColumn.cell(column, v)))</td>"
                    }
                }.joined() + "</tr>\n"
            }
            html += "</tbody></table>\n"
            for note in table.notes { html += "<p class=\"meta\">\(escape(note))</p>\n" }
        }
        html += "</body></html>\n"
        return html
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func trend(_ days: [(day: String, calls: Int, answered: Int)]) -> String {
        let w = 480.0, h = 200.0, left = 36.0, bottom = 24.0
        guard !days.isEmpty else { return empty(w, h) }
        let maxY = Double(max(days.map(\.calls).max() ?? 1, 1))
        let step = days.count > 1 ? (w - left - 10) / Double(days.count - 1) : 0
        func pt(_ i: Int, _ v: Int) -> String {
            String(format: "%.1f,%.1f", left + Double(i) * step, (h - bottom) - Double(v) / maxY * (h - bottom - 28))
        }
        let calls = days.enumerated().map { pt($0.offset, $0.element.calls) }.joined(separator: " ")
        let answered = days.enumerated().map { pt($0.offset, $0.element.answered) }.joined(separator: " ")
        var svg = "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"100%\" role=\"img\" aria-label=\"calls per day\">"
        svg += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w)\" y2=\"\(h - bottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"2\" y=\"32\">\(Int(maxY))</text><text x=\"2\" y=\"\(h - bottom)\">0</text>"
        svg += "<polyline fill=\"none\" stroke=\"#2f6fde\" stroke-width=\"2\" points=\"\(calls)\"/>"
        svg += "<polyline fill=\"none\" stroke=\"#2a9d55\" stroke-width=\"2\" stroke-dasharray=\"4 3\" points=\"\(answered)\"/>"
        if days.count == 1 {
            svg += "<circle cx=\"\(left)\" cy=\"\(pt(0, days[0].calls).split(separator: ",")[1])\" r=\"3\" fill=\"#2f6fde\"/>"
        }
        // Up to six dates along the axis, first and last included, each centred under its point.
        let labelled = days.count <= 6 ? Array(days.indices) : (0..<6).map { $0 * (days.count - 1) / 5 }
        var lastLabelX = -Double.infinity
        for i in labelled {
            let x = left + Double(i) * step
            guard x - lastLabelX >= 48 || i == labelled.last else { continue }
            let anchor = i == 0 ? "start" : (i == days.count - 1 ? "end" : "middle")
            svg += "<line x1=\"\(x)\" y1=\"\(h - bottom)\" x2=\"\(x)\" y2=\"\(h - bottom + 4)\" stroke=\"#999\"/>"
            svg += "<text x=\"\(x)\" y=\"\(h - 6)\" text-anchor=\"\(anchor)\">\(escape(String(days[i].day.dropFirst(5))))</text>"
            lastLabelX = x
        }
        svg += "<text x=\"\(left)\" y=\"12\" style=\"fill:#2f6fde\">— calls</text><text x=\"\(left + 60)\" y=\"12\" style=\"fill:#2a9d55\">- - answered</text>"
        return svg + "</svg>"
    }

    static func heatMap(_ m: [[Int]]) -> String {
        let cell = 16.0, left = 30.0, top = 18.0
        let maxV = Double(max(m.flatMap { $0 }.max() ?? 1, 1))
        let legendTop = top + 7 * cell + 10
        var svg = "<svg viewBox=\"0 0 \(Int(left + 24 * cell + 4)) \(Int(legendTop + 22))\" width=\"100%\" role=\"img\" aria-label=\"hour by weekday\">"
        for (d, name) in Clock.weekdayNames.enumerated() {
            svg += "<text x=\"0\" y=\"\(top + Double(d) * cell + 12)\">\(name)</text>"
        }
        for h in stride(from: 0, to: 24, by: 3) { svg += "<text x=\"\(left + Double(h) * cell)\" y=\"12\">\(h)</text>" }
        for h in 0..<24 where h < m.count {
            for d in 0..<7 {
                let v = m[h][d]
                let a = v == 0 ? 0.04 : 0.15 + 0.85 * Double(v) / maxV
                svg += String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#2f6fde\" fill-opacity=\"%.2f\"><title>%@ %02d:00 — %d calls</title></rect>",
                              left + Double(h) * cell, top + Double(d) * cell, cell - 1, cell - 1, a, Clock.weekdayNames[d], h, v)
                if v > 0 {
                    svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" style=\"font-size:8px;fill:%@\">%d</text>",
                                  left + Double(h) * cell + (cell - 1) / 2, top + Double(d) * cell + 11, a > 0.55 ? "#fff" : "#1d2330", v)
                }
            }
        }
        // Legend: the colour scale from no calls to the busiest hour.
        svg += "<text x=\"0\" y=\"\(legendTop + 11)\">calls</text>"
        let steps = Array(Set([0.0, 0.25, 0.5, 0.75, 1.0].map { ($0 * maxV).rounded() })).sorted()
        for (i, value) in steps.enumerated() {
            let a = value == 0 ? 0.04 : 0.15 + 0.85 * value / maxV
            svg += String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"14\" fill=\"#2f6fde\" fill-opacity=\"%.2f\"/>", left + Double(i) * 52, legendTop, a)
            svg += String(format: "<text x=\"%.0f\" y=\"%.0f\">%d</text>", left + Double(i) * 52 + 17, legendTop + 11, Int(value))
        }
        return svg + "</svg>"
    }

    static func outcomeBars(_ outcomes: [(Outcome, Int)]) -> String {
        let total = max(outcomes.reduce(0) { $0 + $1.1 }, 1)
        func color(_ outcome: Outcome) -> String {
            switch outcome {
            case .answered: "#2a9d55"
            case .missed: "#d64545"
            case .abandoned: "#e0a030"
            }
        }
        var svg = "<svg viewBox=\"0 0 480 90\" width=\"100%\" role=\"img\" aria-label=\"outcome split\">"
        var x = 0.0
        for (outcome, n) in outcomes {
            let name = outcome.rawValue
            let w = 480.0 * Double(n) / Double(total)
            svg += String(format: "<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"36\" fill=\"%@\"><title>%@: %d</title></rect>", x, w, color(outcome), name, n)
            x += w
        }
        for (i, (outcome, n)) in outcomes.enumerated() {
            let name = outcome.rawValue
            let pct = Double(n) / Double(total) * 100
            svg += String(format: "<text x=\"%d\" y=\"70\" style=\"fill:%@\">■</text><text x=\"%d\" y=\"70\">%@ %d (%.0f%%)</text>", i * 160, color(outcome), i * 160 + 12, name, n, pct)
        }
        return svg + "</svg>"
    }

    static func bars(_ items: [(String, Int)]) -> String {
        guard !items.isEmpty else { return empty(480, 60) }
        let maxV = Double(max(items.map(\.1).max() ?? 1, 1))
        let rowH = 20.0
        var svg = "<svg viewBox=\"0 0 480 \(Int(Double(items.count) * rowH + 6))\" width=\"100%\" role=\"img\" aria-label=\"top area codes\">"
        for (i, (label, n)) in items.enumerated() {
            let y = Double(i) * rowH
            svg += String(format: "<text x=\"0\" y=\"%.0f\">%@</text><rect x=\"170\" y=\"%.0f\" width=\"%.1f\" height=\"14\" fill=\"#6a8fd8\"/><text x=\"%.1f\" y=\"%.0f\">%d</text>",
                          y + 13, escape(String(label.prefix(26))), y + 2, 270 * Double(n) / maxV, 174 + 270 * Double(n) / maxV, y + 13, n)
        }
        return svg + "</svg>"
    }

    static func empty(_ w: Double, _ h: Double) -> String {
        "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"100%\"><text x=\"10\" y=\"20\">no calls in this period</text></svg>"
    }

    /// One row per source / medium: a bar of its calls, the answered part darker, and the answer rate.
    static func sourceMediumBars(_ items: [(label: String, calls: Int, answered: Int)]) -> String {
        guard !items.isEmpty else { return empty(480, 60) }
        let maxV = Double(max(items.map(\.calls).max() ?? 1, 1))
        let rowH = 20.0
        var svg = "<svg viewBox=\"0 0 480 \(Int(Double(items.count) * rowH + 24))\" width=\"100%\" role=\"img\" aria-label=\"calls and answer rate by source and medium\">"
        for (i, item) in items.enumerated() {
            let y = Double(i) * rowH
            let w = 230 * Double(item.calls) / maxV, a = 230 * Double(item.answered) / maxV
            let rate = item.calls == 0 ? 0 : Double(item.answered) / Double(item.calls) * 100
            svg += String(format: "<text x=\"0\" y=\"%.0f\">%@</text><rect x=\"170\" y=\"%.0f\" width=\"%.1f\" height=\"14\" fill=\"#9db7e8\"><title>%@: %d calls, %d answered</title></rect><rect x=\"170\" y=\"%.0f\" width=\"%.1f\" height=\"14\" fill=\"#2a9d55\"/><text x=\"%.1f\" y=\"%.0f\">%d · %.0f%% answered</text>",
                          y + 13, escape(String(item.label.prefix(26))), y + 2, w, escape(item.label), item.calls, item.answered, y + 2, a,
                          174 + w, y + 13, item.calls, rate)
        }
        let legendY = Double(items.count) * rowH + 16
        svg += "<text x=\"170\" y=\"\(legendY)\" style=\"fill:#2a9d55\">■ answered</text><text x=\"260\" y=\"\(legendY)\" style=\"fill:#6a8fd8\">■ not answered</text>"
        return svg + "</svg>"
    }
}
