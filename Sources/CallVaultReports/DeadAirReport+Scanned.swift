import CallVaultCore
import CallVaultStore

extension DeadAirReport {
    /// SQLite's reading (the `CallIndex` overload), or another backend's calls
    /// with dead air (``ReportScanSource/deadAirCalls(_:thresholdMs:)``) in the same table.
    public static func run(_ index: ReportIndex, filter: ReportFilter, thresholdMs: Int) throws -> ReportTable {
        let source: any ReportScanSource
        switch index {
        case .sqlite(let sqlite): return try run(sqlite, filter: filter, thresholdMs: thresholdMs)
        case .scanned(let scanned): source = scanned
        }
        var table = ReportTable(title: "Dead air: answered calls with an inner silence over \(thresholdMs / 1000) s", columns: columns, notes: filter.notes)
        for c in try source.deadAirCalls(filter.query, thresholdMs: thresholdMs) where c.innerMs > thresholdMs {
            table.rows.append([.text(c.startedAt), .text(c.id), .optional(c.campaign), .optional(c.caller),
                               .int(c.durationMs), .int(c.innerMs), .int(c.atMs)])
        }
        return table
    }
}
