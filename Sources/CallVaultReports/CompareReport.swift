import CallVaultCore
import CallVaultStore
import Foundation

/// `report compare --campaign C --before FROM..TO --after FROM..TO`: a campaign before and after a
/// change; `--keyword K` (repeatable) compares the calls whose attribution has that keyword instead
/// of (or within) a campaign: the keyword-level view call tracking is bought for.
public enum CompareReport {
    public static let columns = ["metric", "before", "after", "change", "change_pct"]

    public struct Period: Sendable {
        public var from: Date
        public var to: Date
        public init(from: Date, to: Date) { self.from = from; self.to = to }
        var days: Double { max(to.timeIntervalSince(from) / 86400, 1e-9) }
    }

    public static func run(_ index: CallIndex, filter: ReportFilter, before: Period, after: Period, keywords: [String] = []) throws -> ReportTable {
        try run(.sqlite(index), filter: filter, before: before, after: after, keywords: keywords)
    }

    /// From SQLite's aggregates where they serve (no keyword); otherwise, and on every other backend, from every matching call.
    public static func run(_ index: ReportIndex, filter: ReportFilter, before: Period, after: Period, keywords: [String] = []) throws -> ReportTable {
        func measure(_ p: Period) throws -> (calls: Int, answered: Int, callers: Int) {
            var f = filter
            f.since = p.from
            f.until = p.to
            var calls = 0, answered = 0
            var callers = Set<String>()
            if keywords.isEmpty, let store = index.aggregates, let source = try AggregateSource.make(store, f, callers: true) {
                let unique = try store.readAggregates { db in
                    for t in try source.quarters(db) {
                        calls += t.calls
                        if t.outcome == .answered { answered += t.calls }
                    }
                    let keys = try ReportKeys.read(db)
                    let allowed = keys.allowed(f)
                    let parts = try source.countCallerEntries(db, store, make: { PeriodCallers(allowed: allowed, largestCaller: keys.maxCallerId) })
                    for part in parts.dropFirst() { parts[0].bits.formUnion(part.bits) }
                    return parts[0].bits.count
                }
                return (calls, answered, unique)
            }
            // Keywords are read from each call's attribution (the aggregates do not keep them).
            try index.forEachCall(f, keywords: keywords) { c in
                calls += 1
                if c.outcome == .answered { answered += 1 }
                if let caller = c.caller { callers.insert(caller) }
            }
            return (calls, answered, callers.count)
        }
        let b = try measure(before), a = try measure(after)
        func row(_ name: String, _ x: Double, _ y: Double) -> [ReportTable.Value] {
            [.text(name), .number(x), .number(y), .number(y - x), x == 0 ? .null : .number((y - x) / x * 100)]
        }
        let rows = [
            row("calls_per_day", Double(b.calls) / before.days, Double(a.calls) / after.days),
            row("answered_per_day", Double(b.answered) / before.days, Double(a.answered) / after.days),
            row("unique_callers", Double(b.callers), Double(a.callers)),
            row("answer_rate", b.calls == 0 ? 0 : Double(b.answered) / Double(b.calls), a.calls == 0 ? 0 : Double(a.answered) / Double(a.calls)),
            row("calls", Double(b.calls), Double(a.calls)),
        ]
        let subject = [filter.campaigns.isEmpty ? nil : "Campaign \(filter.campaigns.joined(separator: ", "))",
                       keywords.isEmpty ? nil : "Keyword \(keywords.joined(separator: ", "))"].compactMap { $0 }.joined(separator: ", ")
        return ReportTable(title: "\(subject): before vs after", columns: columns, rows: rows,
                           notes: ["before: \(Timestamp.format(before.from)) .. \(Timestamp.format(before.to)) (\(String(format: "%.1f", before.days)) days)",
                                   "after: \(Timestamp.format(after.from)) .. \(Timestamp.format(after.to)) (\(String(format: "%.1f", after.days)) days)",
                                   "change = after - before; change_pct relative to before"])
    }
}

/// One thread's callers of a period (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``).
private final class PeriodCallers: CallerEntryCounter {
    let allowed: [Bool]
    let bits: CallerBits

    init(allowed: [Bool], largestCaller: Int) {
        self.allowed = allowed
        bits = CallerBits(capacity: largestCaller)
    }

    func count(_ batch: [CallerPacks.Entry]) {
        for e in batch where e.number < allowed.count && allowed[e.number] { bits.insert(e.caller) }
    }
}
