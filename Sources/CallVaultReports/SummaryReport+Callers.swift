import CallVaultCore
import CallVaultStore

extension SummaryReport {
    /// Unique callers per time bucket and in all, from ``CallerPacks`` entries (`--campaign`
    /// keeps those campaigns' number keys), counted by two threads taking runs of quarters cut
    /// between buckets (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``). Each
    /// bucket is given by its first quarter with entries, for the report to label.
    ///
    /// `makeKey` gives each thread its own bucket function (a bucket's number from its quarter,
    /// ``TimeKeys/number(_:epoch:local:)``: no label is made in the per-quarter loop).
    static func callerCounts(_ db: any ReportAggregateReader, _ index: any ReportAggregateStore, _ source: AggregateSource, _ filter: ReportFilter,
                             makeKey: () -> (_ q: Int) throws -> Int) throws -> (buckets: [(q: Int, count: Int)], total: Int) {
        let keys = try ReportKeys.read(db)
        let allowed = keys.allowed(filter)
        let key = makeKey()
        let parts = try source.countCallerEntries(db, index, make: {
            BucketCallers(allowed: allowed, largestCaller: keys.maxCallerId, key: makeKey())
        }, splitBefore: { q in try key(q) != key(q - 1) })
        var buckets: [Int: (q: Int, count: Int)] = [:]
        for part in parts {
            part.flush()
            for (i, number) in part.numbers.enumerated() {
                let q = part.firstQuarters[i], n = part.bucketCounts[i]
                if let b = buckets[number] { buckets[number] = (min(b.q, q), b.count + n) } else { buckets[number] = (q, n) }
            }
            if part !== parts[0] { parts[0].all.formUnion(part.all) }
        }
        return (Array(buckets.values), parts[0].all.count)
    }

    /// One thread's count. Time buckets are runs of quarters, a run of the pass holds whole
    /// buckets and its entries come in quarter order, so a caller is new to the current bucket
    /// when the bucket they were last counted in is another one: one slot per caller
    /// (``FlatBuffer``), no set per bucket.
    final class BucketCallers: CallerEntryCounter {
        let allowed: [Bool]
        let all: CallerBits
        /// Per caller, the bucket they were last counted in (-1: none yet).
        let last: FlatBuffer<Int32>
        let key: (Int) throws -> Int
        /// Per bucket (in the order met): its number, its first quarter and its callers.
        private(set) var numbers: [Int] = [], firstQuarters: [Int] = [], bucketCounts: [Int] = []
        private var indexOf: [Int: Int32] = [:]
        private var lastQ = Int.min, bucket: Int32 = -1, current = 0

        init(allowed: [Bool], largestCaller: Int, key: @escaping (Int) throws -> Int) {
            self.allowed = allowed
            self.key = key
            all = CallerBits(capacity: largestCaller)
            last = FlatBuffer(repeating: -1, count: largestCaller + 1)
        }

        func count(_ batch: [CallerPacks.Entry]) throws {
            // The bucket's running count in locals, stored once per batch (a property written
            // per entry costs an exclusivity check).
            var lastQ = self.lastQ, bucket = self.bucket, current = self.current
            defer { self.lastQ = lastQ; self.bucket = bucket; self.current = current }
            let size = last.count
            for e in batch {
                // Ids beyond the largest read with the keys (none, in one transaction) are left out.
                guard e.number < allowed.count, allowed[e.number], e.caller >= 0, e.caller < size else { continue }
                if e.q != lastQ {
                    lastQ = e.q
                    let number = try key(e.q)
                    if bucket >= 0 { bucketCounts[Int(bucket)] += current }
                    current = 0
                    if let b = indexOf[number] { bucket = b } else {
                        bucket = Int32(numbers.count)
                        indexOf[number] = bucket
                        numbers.append(number)
                        firstQuarters.append(e.q)
                        bucketCounts.append(0)
                    }
                }
                if last[e.caller] != bucket {
                    last[e.caller] = bucket
                    current &+= 1
                }
                all.insert(e.caller)
            }
        }

        /// Adds the running bucket's count to its total.
        func flush() {
            if bucket >= 0 { bucketCounts[Int(bucket)] += current }
            current = 0
        }
    }
}
