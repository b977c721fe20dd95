import CallVaultStore
import Foundation

/// What counts callers from ``CallerPacks`` entries in one part of a report's period: the reports'
/// per-entry loops, each with the state it writes, so two threads can count at once and be merged.
protocol CallerEntryCounter: AnyObject {
    func count(_ batch: [CallerPacks.Entry]) throws
}

extension AggregateSource {
    /// Counts the period's caller entries (``callerEntries(_:part:_:)``) with one counter from `make`
    /// per thread: over a period of more than a few weeks, two threads at once — this one on
    /// `db`, another on a read connection of its own from `index` — which halves the pass that
    /// dominates a year's report at 10M calls on a 2-core machine.
    ///
    /// The period is cut into ``chunks`` runs of quarters, each starting where `splitBefore`
    /// holds (a report whose buckets are runs of quarters cuts between buckets, so no bucket is
    /// counted by two threads), and each thread takes the next run left until none is: a thread
    /// slowed by the report's other reads, or by the machine, takes fewer, and neither waits
    /// long for the other. A counter gets each run's entries in quarter order, its runs in the
    /// order it took them. Each thread reads in its own transaction: a write committed between
    /// the two starts shows in the other thread's runs only. The counters are returned for the
    /// caller to merge (counts add, bit sets or).
    func countCallerEntries<Counter: CallerEntryCounter>(_ db: any ReportAggregateReader, _ index: any ReportAggregateStore, make: () throws -> Counter,
                                                         splitBefore: (Int) throws -> Bool = { _ in true }) throws -> [Counter] {
        let first = try make()
        guard let range = try packedQuarters(db), range.count >= Self.quartersPerPart * 2 else {
            try callerEntries(db, part: wholePeriod) { try first.count($0) }
            return [first]
        }
        let runs = try Self.runs(over: range, splitBefore: splitBefore)
        let queue = RunQueue(count: runs.count)
        let second = try make()
        let later = PartThread {
            try index.readAggregates { db in
                while let i = queue.next() { try callerEntries(db, part: runs[i]) { try second.count($0) } }
            }
        }
        let firstResult = Result { while let i = queue.next() { try callerEntries(db, part: runs[i]) { try first.count($0) } } }
        // An error stops the other thread at its next run, not after all of them.
        if case .failure = firstResult { queue.stop() }
        try later.join()
        try firstResult.get()
        return [first, second]
    }

    /// Runs of quarters a period's pass is cut into, for the two threads to share.
    static let chunks = 8

    /// `range` cut into at most ``chunks`` consecutive runs of about equal length, each after the
    /// first starting at a quarter where `splitBefore` holds; the first reads the leading edge
    /// of the period, the last the trailing one.
    static func runs(over range: Range<Int>, splitBefore: (Int) throws -> Bool) throws -> [EntryPart] {
        var starts = [range.lowerBound]
        for i in 1..<chunks {
            let target = max(range.lowerBound + range.count * i / chunks, starts.last! + 1)
            guard target < range.upperBound, let start = try (target..<range.upperBound).first(where: splitBefore) else { break }
            starts.append(start)
        }
        return starts.indices.map { i in
            EntryPart(from: starts[i], to: i + 1 < starts.count ? starts[i + 1] : range.upperBound,
                      leading: i == 0, trailing: i == starts.count - 1)
        }
    }

    /// Below this many quarters a second thread costs more than it saves.
    static let quartersPerPart = 96 * 7
}

/// The next run for a thread of ``AggregateSource/countCallerEntries(_:_:make:splitBefore:)`` to count.
private final class RunQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The index of a run no thread has taken yet, or nil when none is left.
    func next() -> Int? {
        lock.withLock {
            guard taken < count else { return nil }
            taken += 1
            return taken - 1
        }
    }

    /// No run is handed out any more.
    func stop() { lock.withLock { taken = count } }
}
