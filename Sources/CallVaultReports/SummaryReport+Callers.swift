import CallVaultCore
import CallVaultStore
import GRDB

extension SummaryReport {
    /// Unique callers per bucket (a time bucket, or a campaign with `byCampaign`) and in all,
    /// from ``CallerPacks`` entries (`--campaign` keeps those campaigns' number keys).
    ///
    /// Time buckets are runs of quarters and the entries come in quarter order, so a caller is
    /// new to the current bucket when the bucket they were last counted in is another one: one
    /// array slot per caller, no set per bucket. Campaigns interleave, so each has a bit set.
    static func callerCounts(_ db: Database, _ source: AggregateSource, _ filter: ReportFilter, byCampaign: Bool,
                             key: (_ q: Int, _ campaign: String?) throws -> String) throws -> (buckets: [String: Int], total: Int) {
        let keys = try ReportKeys.read(db)
        let allowed = keys.allowed(filter)
        var all = CallerBits(capacity: keys.maxCallerId)
        var buckets: [String: Int] = [:]
        if byCampaign {
            var names: [String] = [], indexOf: [String: Int] = [:]
            var groupOf = keys.perNumber(-1) { _ in -1 }
            for (id, k) in keys.numbers where id >= 0 {
                let name = try key(0, k.campaign)
                if indexOf[name] == nil { indexOf[name] = names.count; names.append(name) }
                groupOf[id] = indexOf[name]!
            }
            var bits = Array(repeating: CallerBits(capacity: keys.maxCallerId), count: names.count)
            try source.callerEntries(db) { e in
                guard e.number < allowed.count, allowed[e.number] else { return }
                bits[groupOf[e.number]].insert(e.caller)
                all.insert(e.caller)
            }
            for (i, name) in names.enumerated() where bits[i].count > 0 { buckets[name] = bits[i].count }
        } else {
            var last = [Int32](repeating: -1, count: keys.maxCallerId + 1)
            var names: [String] = [], counts: [Int] = [], indexOf: [String: Int32] = [:]
            var lastQ = Int.min, bucket: Int32 = -1
            try source.callerEntries(db) { e in
                guard e.number < allowed.count, allowed[e.number] else { return }
                if e.q != lastQ {
                    lastQ = e.q
                    let name = try key(e.q, nil)
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
            for (i, name) in names.enumerated() { buckets[name] = counts[i] }
        }
        return (buckets, all.count)
    }
}
