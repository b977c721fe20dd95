import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report summary --by hour|day|week|campaign|source|tracking-number`.
public enum SummaryReport {
    public enum Grouping: String, Sendable, CaseIterable {
        case hour, day, week, campaign, source
        case trackingNumber = "tracking-number"
    }

    public static let columns = ["bucket", "calls", "answered", "missed", "abandoned", "answer_rate", "unique_callers",
                                 "first_time_callers", "talk_ms_total", "talk_ms_avg", "duration_ms_avg"]

    struct Tally {
        var calls = 0, answered = 0, missed = 0, abandoned = 0, talk = 0, duration = 0, firstTime = 0
        var callers = Set<String>()

        mutating func add(_ c: CallFacts, firstCall: [String: String]) {
            calls += 1
            switch c.outcome {
            case "answered": answered += 1
            case "missed": missed += 1
            default: abandoned += 1
            }
            talk += c.talkMs
            duration += c.durationMs
            if let caller = c.caller {
                callers.insert(caller)
                if firstCall[caller] == c.id { firstTime += 1 }
            }
        }

        func row(_ bucket: String) -> [ReportTable.Value] {
            [.text(bucket), .int(calls), .int(answered), .int(missed), .int(abandoned), .rate(answered, calls),
             .int(callers.count), .int(firstTime), .int(talk), .average(talk, answered), .average(duration, calls)]
        }
    }

    /// Each caller's first call in the whole index: a "first-time caller" is counted there.
    ///
    /// SQLite takes a bare column (`id`) from the row that gives `min(started_at)`, so this is one
    /// pass over the `calls_caller` index (0.3 s for 1M calls, against 2.5 s for a NOT EXISTS).
    /// Two calls from one caller in the same second: one of them counts as the first.
    static func firstCalls(_ index: CallIndex) throws -> [String: String] {
        try index.pool.read { db in
            var map: [String: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT caller, id, min(started_at) FROM calls WHERE caller IS NOT NULL GROUP BY caller
                """)
            while let row = try cursor.next() { map[row[0]] = row[1] }
            return map
        }
    }

    public static func run(_ index: CallIndex, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable {
        let first = try firstCalls(index)
        var clock = Clock(zone: filter.timeZone)
        var tallies: [String: Tally] = [:]
        var total = Tally()
        var order: [String: Int] = [:]  // label ▶ its earliest call: time buckets sort by time, not by label
        var labels: [Int: String] = [:]  // local hour/day/week number ▶ label: formatting once per bucket, not per call
        func label(_ n: Int, _ make: () -> String) -> String {
            if let l = labels[n] { return l }
            let l = make()
            labels[n] = l
            return l
        }
        try CallFacts.forEach(index, filter) { c in
            let key: String
            switch grouping {
            case .hour:
                // Keyed by local hour and offset: the hour repeated when clocks go back is two buckets,
                // each labelled with its offset (`2026-11-01 01:00 UTC-04:00`, `… UTC-05:00`).
                let l = clock.local(c.epoch)
                let offset = l - c.epoch
                let hour = Int((Double(l) / 3600).rounded(.down))
                key = label(hour &* 4096 &+ offset / 60 &+ 2048) {
                    let base = Clock.day(l) + String(format: " %02d:00", Clock.hourOfDay(l))
                    return clock.isRepeated(localHourStart: hour * 3600, offset: offset) ? base + " " + Clock.offsetName(offset) : base
                }
            case .day:
                let l = clock.local(c.epoch)
                key = label(Int((Double(l) / 86400).rounded(.down))) { Clock.day(l) }
            case .week:
                let l = clock.local(c.epoch)
                key = label(Int((Double(l) / 86400).rounded(.down)) - Clock.weekday(l)) { Clock.weekStart(l) }
            case .campaign: key = c.campaign ?? "(unassigned)"
            case .source: key = c.source ?? "(unassigned)"
            case .trackingNumber: key = c.trackingNumber
            }
            if order[key].map({ c.epoch < $0 }) ?? true { order[key] = c.epoch }
            tallies[key, default: Tally()].add(c, firstCall: first)
            total.add(c, firstCall: first)
        }
        let keys = [.hour, .day, .week].contains(grouping)
            ? tallies.keys.sorted { (order[$0]!, $0) < (order[$1]!, $1) }
            : tallies.keys.sorted()
        var table = ReportTable(title: "Summary by \(grouping.rawValue)", columns: columns,
                                rows: keys.map { tallies[$0]!.row($0) } + (keys.isEmpty ? [] : [total.row("TOTAL")]),
                                notes: filter.notes)
        table.notes.append("first_time_callers: callers whose first call in the whole index is in that bucket; talk_ms_avg over answered calls")
        return table
    }
}
