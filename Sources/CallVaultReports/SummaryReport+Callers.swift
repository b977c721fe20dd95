import CallVaultCore
import CallVaultStore
import GRDB

extension SummaryReport {
    /// Unique callers per time bucket and in all, from ``CallerPacks`` entries (`--campaign`
    /// keeps those campaigns' number keys).
    ///
    /// Time buckets are runs of quarters and the entries come in quarter order, so a caller is
    /// new to the current bucket when the bucket they were last counted in is another one: one
    /// array slot per caller, no set per bucket.
    static func callerCounts(_ db: Database, _ source: AggregateSource, _ filter: ReportFilter,
                             bucket key: (_ q: Int) throws -> String) throws -> (buckets: [String: Int], total: Int) {
        let keys = try ReportKeys.read(db)
        let allowed = keys.allowed(filter)
        var all = CallerBits(capacity: keys.maxCallerId)
        var last = [Int32](repeating: -1, count: keys.maxCallerId + 1)
        var names: [String] = [], counts: [Int] = [], indexOf: [String: Int32] = [:]
        var lastQ = Int.min, bucket: Int32 = -1
        try source.callerEntries(db) { batch in
            for e in batch {
                guard e.number < allowed.count, allowed[e.number] else { continue }
                if e.q != lastQ {
                    lastQ = e.q
                    let name = try key(e.q)
                    if let b = indexOf[name] { bucket = b } else {
                        bucket = Int32(names.count)
                        indexOf[name] = bucket
                        names.append(name)
                        counts.append(0)
                    }
                }
                if e.caller >= last.count { last += Array(repeating: -1, count: e.caller - last.count + 1) }
                if last[e.caller] != bucket {
                    last[e.caller] = bucket
                    counts[Int(bucket)] += 1
                }
                all.insert(e.caller)
            }
        }
        var buckets: [String: Int] = [:]
        for (i, name) in names.enumerated() { buckets[name] = counts[i] }
        return (buckets, all.count)
    }
}
