import CallVaultCore
import CallVaultStore

extension HTMLReport {
    /// The charts' numbers from SQLite's aggregates or scan (the `CallIndex` overload), or, on
    /// another backend, from every matching call: the same tally, and `source / medium` counted
    /// from the same calls as SQLite's scan groups them.
    public static func charts(_ index: ReportIndex, filter: ReportFilter) throws -> Charts {
        if case .sqlite(let sqlite) = index { return try charts(sqlite, filter: filter) }
        if let store = index.aggregates, let charts = try aggregatedCharts(store, filter: filter) { return charts }
        var tally = ChartTally(zone: filter.timeZone)
        var byLabel: [String: (calls: Int, answered: Int)] = [:]
        try index.forEachCall(filter) { c in
            let l = tally.clock.local(c.epoch)
            tally.add(local: l, outcome: c.outcome, calls: 1)
            if let area = c.areaCode { tally.areas["\(area) \(c.place ?? c.region ?? "")", default: 0] += 1 }
            let label = (c.source ?? "(none)") + " / " + (c.medium ?? "(none)")
            byLabel[label, default: (0, 0)].calls += 1
            if c.outcome == .answered { byLabel[label, default: (0, 0)].answered += 1 }
        }
        var charts = tally.charts()
        charts.sourceMedium = largest(byLabel.map { (label: $0.key, calls: $0.value.calls, answered: $0.value.answered) })
        return charts
    }
}
