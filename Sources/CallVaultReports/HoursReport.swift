import CallVaultCore
import CallVaultStore
import Foundation

/// `report hours`: calls by hour of day (rows) and day of week (columns), in `--tz`.
public enum HoursReport {
    public static let columns = ["hour"] + Clock.weekdayNames + ["total"]

    public static func matrix(_ index: CallIndex, filter: ReportFilter) throws -> [[Int]] {
        try matrix(.sqlite(index), filter: filter)
    }

    /// From SQLite's aggregates where they serve; otherwise, and on every other backend, from every matching call.
    public static func matrix(_ index: ReportIndex, filter: ReportFilter) throws -> [[Int]] {
        var clock = Clock(zone: filter.timeZone)
        var m = Array(repeating: Array(repeating: 0, count: 7), count: 24)
        if let store = index.aggregates, let source = try AggregateSource.make(store, filter) {
            do {
                try store.readAggregates { db in
                    for t in try source.quarters(db) {
                        let l = try clock.localQuarter(t.q)
                        m[Clock.hourOfDay(l)][Clock.weekday(l)] += t.calls
                    }
                }
                return m
            } catch is NotQuarterAligned {
                m = Array(repeating: Array(repeating: 0, count: 7), count: 24)
            }
        }
        try index.forEachCall(filter) { c in
            let l = clock.local(c.epoch)
            m[Clock.hourOfDay(l)][Clock.weekday(l)] += 1
        }
        return m
    }

    public static func run(_ index: CallIndex, filter: ReportFilter) throws -> ReportTable {
        try run(.sqlite(index), filter: filter)
    }

    public static func run(_ index: ReportIndex, filter: ReportFilter) throws -> ReportTable {
        let m = try matrix(index, filter: filter)
        var table = ReportTable(title: "Calls by hour of day and day of week", columns: columns, notes: filter.notes)
        for h in 0..<24 {
            table.rows.append([.text(String(format: "%02d", h))] + m[h].map { .int($0) } + [.int(m[h].reduce(0, +))])
        }
        table.rows.append([.text("total")] + (0..<7).map { d in .int((0..<24).reduce(0) { $0 + m[$1][d] }) } + [.int(m.flatMap { $0 }.reduce(0, +))])
        return table
    }
}
