import CallVaultCore
import CallVaultStore
import Foundation

extension SummaryReport {
    /// `summary --by source|tracking-number` from the per-day dimension aggregates: calls and
    /// sums per number key, callers per (caller, number key) and day, first-time callers from
    /// `report_first_calls`; nil when the report scans (`--exact-scan`, an index without them).
    static func byNumber(_ index: CallIndex, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable? {
        guard let source = try DimensionSource.make(index, filter) else { return nil }
        func key(_ k: DimensionSource.NumberKey) -> String { grouping == .source ? k.source ?? "(unassigned)" : k.trackingNumber }
        var tallies: [String: Tally] = [:]
        var total = Tally()
        try index.pool.read { db in
            for (k, s) in try source.numberSums(db) {
                tallies[key(k), default: Tally()].count(s)
                total.count(s)
            }
            // Group keys per number key id, computed once.
            var groupOf: [Int: String] = [:]
            for (id, k) in source.numbers { groupOf[id] = key(k) }
            try source.callerKeys(db) { caller, number, _ in
                guard let g = groupOf[number] else { return }
                tallies[g, default: Tally()].callerIds.insert(caller)
                total.callerIds.insert(caller)
            }
            for k in try source.firstCallNumbers(db) {
                tallies[key(k), default: Tally()].firstTime += 1
                total.firstTime += 1
            }
        }
        return table(grouping, filter, tallies, total, [:])
    }
}

extension SummaryReport.Tally {
    /// Adds a number key's calls and sums.
    mutating func count(_ s: DimensionSource.Sums) {
        calls += s.calls
        answered += s.answered
        missed += s.missed
        abandoned += s.abandoned
        talk += s.talk
        duration += s.duration
    }
}
