import CallVaultCore
import CallVaultStore
import Foundation

extension SummaryReport {
    /// `summary --by campaign|source|tracking-number` from the per-day dimension aggregates: calls and
    /// sums per number key, callers from ``CallerPacks`` (each caller a bit per group), first-time callers from
    /// `report_first_calls`; nil when the report scans (`--exact-scan`, an index without them).
    static func byNumber(_ index: any ReportAggregateStore, filter: ReportFilter, by grouping: Grouping) throws -> ReportTable? {
        guard let source = try DimensionSource.make(index, filter),
              let callerSource = try AggregateSource.make(index, filter, callers: true) else { return nil }
        func key(_ k: DimensionSource.NumberKey) -> String {
            switch grouping {
            case .campaign: k.campaign ?? "(unassigned)"
            case .source: k.source ?? "(unassigned)"
            default: k.trackingNumber
            }
        }
        var tallies: [String: Tally] = [:]
        var total = Tally()
        // The sums and the first calls read on a thread of their own while the caller pass runs.
        let ((sums, firstCalls), (names, bits, all)) = try PartThread.both(
            on: { try index.readAggregates { db in (try source.numberSums(db), try source.firstCallNumbers(db)) } },
            here: { try index.readAggregates { db in
                // Each number key's group as an array index, computed once; callers as bits per group.
                var names: [String] = [], indexOf: [String: Int] = [:]
                var groupOf = Array(repeating: -1, count: (source.numbers.keys.max() ?? 0) + 1)
                for (id, k) in source.numbers where id >= 0 && source.allowed(number: id) {
                    let name = key(k)
                    if indexOf[name] == nil { indexOf[name] = names.count; names.append(name) }
                    groupOf[id] = indexOf[name]!
                }
                let largestCaller = try ReportKeys.largestCallerId(db)
                let groupCount = names.count
                let parts = try callerSource.countCallerEntries(db, index, make: {
                    GroupCallers(groupOf: groupOf, groups: groupCount, largestCaller: largestCaller)
                })
                let bits = parts[0].bits, all = parts[0].all
                for part in parts.dropFirst() {
                    bits.formUnion(part.bits)
                    all.formUnion(part.all)
                }
                return (names, bits, all)
            } })
        for (k, s) in sums {
            tallies[key(k), default: Tally()].count(s)
            total.count(s)
        }
        for (i, name) in names.enumerated() where tallies[name] != nil { tallies[name]!.callersCounted = bits.count(row: i) }
        total.callersCounted = all.count
        for (k, callers) in firstCalls {
            tallies[key(k), default: Tally()].firstTime += callers
            total.firstTime += callers
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
        deadAir += s.deadAir
    }
}

/// One thread's callers per group of number keys and in all
/// (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``).
private final class GroupCallers: CallerEntryCounter {
    let groupOf: [Int]
    let bits: CallerBitRows, all: CallerBits

    init(groupOf: [Int], groups: Int, largestCaller: Int) {
        self.groupOf = groupOf
        bits = CallerBitRows(rows: groups, capacity: largestCaller)
        all = CallerBits(capacity: largestCaller)
    }

    /// Entries between a word's prefetch and its write: the rows are megabytes written at
    /// random (400 tracking numbers × 66,000 callers: 3.3 MB), past the core's cache.
    static let ahead = 12

    func count(_ batch: [CallerPacks.Entry]) {
        let groupOf = groupOf, n = batch.count
        @inline(__always) func group(_ e: CallerPacks.Entry) -> Int { e.number >= 0 && e.number < groupOf.count ? groupOf[e.number] : -1 }
        for i in 0..<n {
            if i + Self.ahead < n {
                let next = batch[i + Self.ahead]
                bits.prefetch(row: group(next), next.caller)
            }
            let e = batch[i]
            let g = group(e)
            guard g >= 0 else { continue }
            bits.insert(row: g, e.caller)
            all.insert(e.caller)
        }
    }
}
