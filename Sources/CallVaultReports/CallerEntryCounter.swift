import CallVaultStore
import Foundation
import GRDB

/// What counts callers from ``CallerPacks`` entries in one part of a report's period: the reports'
/// per-entry loops, each with the state it writes, so two parts can count at once and be merged.
protocol CallerEntryCounter: AnyObject {
    func count(_ batch: [CallerPacks.Entry]) throws
}

extension AggregateSource {
    /// Counts the period's caller entries (``callerEntries(_:part:_:)``) with one counter from `make`
    /// per part: over a period of more than a few quarters, two parts at once — the first half
    /// on `db` (this thread), the second on another thread and read connection of `index` —
    /// which halves the pass that dominates a year's report at 10M calls on a 2-core machine.
    ///
    /// The parts are consecutive in time and each gets its entries in quarter order; the second
    /// starts at the first quarter from the middle on where `splitBefore` holds (a report whose
    /// buckets are runs of quarters splits between buckets). Each part reads in its own
    /// transaction: a write committed between the two starts shows in the second part only.
    /// Counters are returned in time order for the caller to merge.
    func countCallerEntries<Counter: CallerEntryCounter>(_ db: Database, _ index: CallIndex, make: () throws -> Counter,
                                                         splitBefore: (Int) throws -> Bool = { _ in true }) throws -> [Counter] {
        let first = try make()
        guard let range = try packedQuarters(db), range.count >= Self.quartersPerPart * 2,
              let mid = try (range.lowerBound + range.count / 2..<range.upperBound).first(where: splitBefore) else {
            try callerEntries(db, part: wholePeriod) { try first.count($0) }
            return [first]
        }
        let second = try make()
        let part = EntryPart(from: mid, to: range.upperBound, leading: false, trailing: true)
        let later = PartThread { try index.pool.read { db in try callerEntries(db, part: part) { try second.count($0) } } }
        let firstResult = Result { try callerEntries(db, part: EntryPart(from: range.lowerBound, to: mid, leading: true, trailing: false)) { try first.count($0) } }
        try later.join()
        try firstResult.get()
        return [first, second]
    }

    /// Below this many quarters a second thread costs more than it saves.
    static let quartersPerPart = 96 * 7
}
