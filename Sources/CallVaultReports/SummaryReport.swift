import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report summary --by hour|day|week|campaign|source|tracking-number`, and by the web attribution
/// of the calls (`utm_source|utm_medium|utm_campaign|keyword|landing_page|attribution_method`).
public enum SummaryReport {
    public enum Grouping: String, Sendable, CaseIterable {
        case hour, day, week, campaign, source
        case trackingNumber = "tracking-number"
        case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign", keyword
        case landingPage = "landing_page", attributionMethod = "attribution_method"

        /// The field of the call's `attribution` this grouping reads, or nil.
        var attributionField: String? {
            switch self {
            case .utmSource, .utmMedium, .utmCampaign, .keyword, .landingPage: rawValue
            case .attributionMethod: "method"
            default: nil
            }
        }
    }

    public static let columns = ["bucket", "calls", "answered", "missed", "abandoned", "answer_rate", "unique_callers",
                                 "first_time_callers", "talk_ms_total", "talk_ms_avg", "duration_ms_avg", "dead_air_calls"]

    struct Tally {
        var calls = 0, answered = 0, missed = 0, abandoned = 0, talk = 0, duration = 0, firstTime = 0, deadAir = 0
        var callers = Set<String>()
        /// Unique callers counted from the aggregates' integer ids (``callers`` stays empty then).
        var callersCounted = 0

        mutating func add(_ c: CallFacts, firstCall: [String: String]) {
            calls += 1
            switch c.outcome {
            case .answered: answered += 1
            case .missed: missed += 1
            case .abandoned: abandoned += 1
            }
            talk += c.talkMs
            duration += c.durationMs
            if c.deadAir { deadAir += 1 }
            if let caller = c.caller {
                callers.insert(caller)
                if firstCall[caller] == c.id { firstTime += 1 }
            }
        }

        mutating func add(outcome: Outcome, calls n: Int, talk t: Int, duration d: Int, deadAir da: Int) {
            calls += n
            switch outcome {
            case .answered: answered += n
            case .missed: missed += n
            case .abandoned: abandoned += n
            }
            talk += t
            duration += d
            deadAir += da
        }

        func row(_ bucket: String) -> [ReportTable.Value] {
            [.text(bucket), .int(calls), .int(answered), .int(missed), .int(abandoned), .rate(answered, calls),
             .int(callers.count + callersCounted), .int(firstTime), .int(talk), .average(talk, answered), .average(duration, calls), .int(deadAir)]
        }
    }

    /// Each caller's first call in the whole index: a "first-time caller" is counted there.
    ///
    /// The earliest `started_at`, and of two calls from one caller in the same second the one with
    /// the smaller id (the rule `report_first_calls` keeps too).
    static func firstCalls(_ index: CallIndex) throws -> [String: String] {
        try index.pool.read { db in
            var map: [String: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT caller, id FROM (
                    SELECT caller, id, row_number() OVER (PARTITION BY caller ORDER BY started_at, id) AS n
                    FROM calls WHERE caller IS NOT NULL) WHERE n = 1
                """)
            while let row = try cursor.next() { map[row[0]] = row[1] }
            return map
        }
    }

    /// The label of a time bucket (hour, day or week in the report's zone), formatted once per bucket.
    struct TimeKeys {
        var clock: Clock
        var labels: [Int: String] = [:]  // local hour/day/week number ▶ label

        init(zone: TimeZone) { clock = Clock(zone: zone) }

        mutating func label(_ n: Int, _ make: () -> String) -> String {
            if let l = labels[n] { return l }
            let l = make()
            labels[n] = l
            return l
        }

        /// The bucket of `epoch` as a number, without its label: the local hour (with its
        /// offset), day or week. `l`: local seconds of `epoch`.
        static func number(_ grouping: Grouping, epoch: Int, local l: Int) -> Int {
            switch grouping {
            case .hour:
                // Keyed by local hour and offset: the hour repeated when clocks go back is two buckets.
                Int((Double(l) / 3600).rounded(.down)) &* 4096 &+ (l - epoch) / 60 &+ 2048
            case .day: Int((Double(l) / 86400).rounded(.down))
            default: Int((Double(l) / 86400).rounded(.down)) - Clock.weekday(l)
            }
        }

        /// The label of `epoch`'s bucket (`l`: its local seconds), made once per bucket.
        mutating func key(_ grouping: Grouping, epoch: Int, local l: Int) -> String {
            let clock = clock
            return label(Self.number(grouping, epoch: epoch, local: l)) {
                switch grouping {
                case .hour:
                    // The hour repeated when clocks go back is labelled with its offset
                    // (`2026-11-01 01:00 UTC-04:00`, `… UTC-05:00`).
                    let offset = l - epoch
                    let hour = Int((Double(l) / 3600).rounded(.down))
                    let base = Clock.day(l) + (Clock.hourOfDay(l) < 10 ? " 0" : " ") + String(Clock.hourOfDay(l)) + ":00"
                    return clock.isRepeated(localHourStart: hour * 3600, offset: offset) ? base + " " + Clock.offsetName(offset) : base
                case .day: return Clock.day(l)
                default: return Clock.weekStart(l)
                }
            }
        }
    }

    public static func run(_ index: CallIndex, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable {
        try run(.sqlite(index), filter: filter, by: grouping)
    }

    /// From SQLite's aggregates where they serve; otherwise, and on every other backend, from every matching call.
    public static func run(_ index: ReportIndex, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable {
        if let store = index.aggregates, let table = try aggregated(store, filter: filter, by: grouping) { return table }
        let first = try index.firstCalls(among: filter)
        var keys = TimeKeys(zone: filter.timeZone)
        var tallies: [String: Tally] = [:]
        var total = Tally()
        var order: [String: Int] = [:]  // label ▶ its earliest call: time buckets sort by time, not by label
        // The attribution dimensions are read from each call (streamed: the per-quarter aggregates
        // do not keep them).
        try index.forEachCall(filter, attributionField: grouping.attributionField) { c in
            let key: String
            switch grouping {
            case .utmSource, .utmMedium, .utmCampaign, .keyword, .landingPage, .attributionMethod: key = c.dimension ?? "(none)"
            case .hour, .day, .week: key = keys.key(grouping, epoch: c.epoch, local: keys.clock.local(c.epoch))
            case .campaign: key = c.campaign ?? "(unassigned)"
            case .source: key = c.source ?? "(unassigned)"
            case .trackingNumber: key = c.trackingNumber
            }
            if order[key].map({ c.epoch < $0 }) ?? true { order[key] = c.epoch }
            tallies[key, default: Tally()].add(c, firstCall: first)
            total.add(c, firstCall: first)
        }
        return table(grouping, filter, tallies, total, order)
    }

    static func table(_ grouping: Grouping, _ filter: ReportFilter, _ tallies: [String: Tally], _ total: Tally, _ order: [String: Int]) -> ReportTable {
        // Each label's time looked up once, not twice per comparison (a year by hour sorts 8,760).
        let keys = [.hour, .day, .week].contains(grouping)
            ? tallies.keys.map { (order[$0]!, $0) }.sorted { $0 < $1 }.map(\.1)
            : tallies.keys.sorted()
        var table = ReportTable(title: "Summary by \(grouping.rawValue)", columns: columns,
                                rows: keys.map { tallies[$0]!.row($0) } + (keys.isEmpty ? [] : [total.row("TOTAL")]),
                                notes: filter.notes)
        table.notes.append("first_time_callers: callers whose first call in the whole index is in that bucket; talk_ms_avg over answered calls; "
                           + "dead_air_calls: answered calls with an inner silence over 10 s (what report dead-air lists)")
        return table
    }

    /// From the per-quarter aggregates and ``CallerPacks`` (by hour, day or week) or the per-day ones (by
    /// campaign, source or tracking number, ``byNumber(_:filter:by:)``); nil when the report scans.
    /// Buckets are disjoint in time, so ordering them by their first quarter orders them as the scan does.
    static func aggregated(_ index: any ReportAggregateStore, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable? {
        // Per-day tables by number key: a day row per tracking number whatever the volume (the
        // per-quarter campaign table nears a row per call at tens of calls per quarter).
        if [.campaign, .source, .trackingNumber].contains(grouping) { return try byNumber(index, filter: filter, by: grouping) }
        guard [.hour, .day, .week].contains(grouping), let source = try AggregateSource.make(index, filter, callers: true) else { return nil }
        // Each quarter's bucket as an index into `labels` and `list`, looked up once per quarter:
        // a year is ~100,000 quarter rows, and a label (string) hashed for each cost more than the rows.
        var keys = TimeKeys(zone: filter.timeZone)
        var bucketOfQuarter: [Int: Int] = [:], indexOfLabel: [String: Int] = [:]
        var labels: [String] = [], list: [Tally] = [], earliest: [Int?] = []
        func bucket(label: String) -> Int {
            if let b = indexOfLabel[label] { return b }
            indexOfLabel[label] = labels.count
            labels.append(label)
            list.append(Tally())
            earliest.append(nil)
            return labels.count - 1
        }
        func bucket(q: Int) throws -> Int {
            if let b = bucketOfQuarter[q] { return b }
            let b = bucket(label: keys.key(grouping, epoch: q * 900, local: try keys.clock.localQuarter(q)))
            bucketOfQuarter[q] = b
            return b
        }
        var total = Tally()
        do {
            // The quarter rows and the first calls read on a thread of their own meanwhile (a
            // read transaction of their own, as each thread of the pass has).
            let ((quarters, firstCalls), counts) = try PartThread.both(
                on: { try index.readAggregates { db in (try source.quarters(db), try source.firstCalls(db)) } },
                here: { try index.readAggregates { db in
                    try callerCounts(db, index, source, filter) {
                        // A bucket function of the thread's own (its clock caches offsets as it goes).
                        var clock = Clock(zone: filter.timeZone)
                        return { q in TimeKeys.number(grouping, epoch: q * 900, local: try clock.localQuarter(q)) }
                    }
                } })
            for t in quarters {
                let b = try bucket(q: t.q)
                if earliest[b].map({ t.q * 900 < $0 }) ?? true { earliest[b] = t.q * 900 }
                list[b].add(outcome: t.outcome, calls: t.calls, talk: t.talk, duration: t.duration, deadAir: t.deadAir)
                total.add(outcome: t.outcome, calls: t.calls, talk: t.talk, duration: t.duration, deadAir: t.deadAir)
            }
            for (q, n) in counts.buckets { list[try bucket(q: q)].callersCounted = n }
            total.callersCounted = counts.total
            for f in firstCalls {
                list[try bucket(q: f.epoch >= 0 ? f.epoch / 900 : -((-f.epoch + 899) / 900))].firstTime += 1
                total.firstTime += 1
            }
        } catch is NotQuarterAligned {
            return nil
        }
        var tallies: [String: Tally] = [:], order: [String: Int] = [:]
        for (b, label) in labels.enumerated() {
            tallies[label] = list[b]
            if let e = earliest[b] { order[label] = e }
        }
        return table(grouping, filter, tallies, total, order)
    }
}
