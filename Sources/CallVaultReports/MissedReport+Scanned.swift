import CallVaultCore
import CallVaultStore

extension MissedReport {
    /// SQLite's reading (the `CallIndex` overload), or another
    /// backend's page of missed calls (``ReportScanSource/missedCalls(_:unreturnedOnly:limit:)``)
    /// in the same table, rows and notes.
    public static func run(_ index: ReportIndex, filter: ReportFilter, unreturnedOnly: Bool, limit: Int = 0) throws -> ReportTable {
        let source: any ReportScanSource
        switch index {
        case .sqlite(let sqlite): return try run(sqlite, filter: filter, unreturnedOnly: unreturnedOnly, limit: limit)
        case .scanned(let scanned): source = scanned
        }
        let page = try source.missedCalls(filter.query, unreturnedOnly: unreturnedOnly, limit: limit, exactScan: filter.exactScan)
        var table = ReportTable(title: unreturnedOnly ? "Missed calls not returned (call-back list)" : "Missed and abandoned calls",
                                columns: columns, notes: filter.notes)
        for c in page.calls {
            table.rows.append([.text(c.startedAt), .text(c.id), .optional(c.caller), .optional(c.campaign), .text(c.trackingNumber),
                               .text(c.outcome), .int(c.durationMs), .text(c.answeredAt == nil ? "no" : "yes"), .optional(c.answeredAt)])
        }
        if page.more, let total = page.total {
            table.notes.append("showing the first \(limit) of \(total) calls; --limit 0 for all")
        } else if page.more {
            table.notes.append("showing the first \(limit) calls; more follow; --limit 0 for all")
        }
        table.notes.append("\(table.rows.count) calls" + (unreturnedOnly ? "; anonymous callers cannot be called back and are left out" : ""))
        return table
    }
}
