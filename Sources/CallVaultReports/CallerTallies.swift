import CallVaultCore
import CallVaultStore
import GRDB

/// `report callers` from ``CallerPacks``: per scope (all calls, each campaign) the unique and
/// repeat callers, and per caller the calls and answered calls, over integer caller ids.
///
/// Per caller and scope a saturating count (0, 1, 2 = more than once) in one byte array (scope ×
/// caller), per caller a call and an answered count: flat arrays indexed by caller id, filled by a
/// loop over local variables (no hashing, no nested array, no struct copy per call: a year of
/// 10M calls is ten million turns of it).
struct CallerTallies {
    /// A scope's unique and repeat callers, and its calls with a caller (the rest are anonymous).
    struct Counts { var unique = 0, repeated = 0, calls = 0 }
    private(set) var scopes: [String: Counts] = [:]
    private var names: [String] = []
    /// `seen[scope * size + caller]`: 0, 1 or 2 (more than once).
    private var seen: [UInt8] = []
    private var size = 0
    private var calls: [Int32] = [], answered: [Int32] = []

    static func count(_ db: Database, _ source: AggregateSource, _ filter: ReportFilter) throws -> CallerTallies {
        let keys = try ReportKeys.read(db)
        let allowed = keys.allowed(filter)
        // Scope 0 is "(all)"; each number key's campaign is a scope of its own.
        var names = ["(all)"]
        var indexOf: [String: Int] = [:]
        let scopeOf = keys.perNumber(0) { k in
            let name = k.campaign ?? "(unassigned)"
            if let i = indexOf[name] { return i }
            indexOf[name] = names.count
            names.append(name)
            return names.count - 1
        }
        // Entries name callers that exist (removals cancelled), so ids stay under the largest one
        // read with the keys; a larger one (a writer adding callers meanwhile) is skipped.
        let size = keys.maxCallerId + 1
        var seen = [UInt8](repeating: 0, count: size * names.count)
        var calls = [Int32](repeating: 0, count: size), answered = [Int32](repeating: 0, count: size)
        var scopeCalls = [Int](repeating: 0, count: names.count)
        try source.callerEntries(db) { batch in
            for e in batch {
                guard e.number < allowed.count, allowed[e.number], e.caller < size else { continue }
                calls[e.caller] &+= 1
                if e.answered { answered[e.caller] &+= 1 }
                let scope = scopeOf[e.number]
                scopeCalls[0] += 1
                scopeCalls[scope] += 1
                if seen[e.caller] < 2 { seen[e.caller] += 1 }
                let s = scope * size + e.caller
                if seen[s] < 2 { seen[s] += 1 }
            }
        }
        var t = CallerTallies()
        for (i, name) in names.enumerated() {
            var c = Counts(calls: scopeCalls[i])
            for n in seen[(i * size)..<((i + 1) * size)] where n > 0 {
                c.unique += 1
                if n > 1 { c.repeated += 1 }
            }
            if c.unique > 0 { t.scopes[name] = c }
        }
        t.names = names
        t.seen = seen
        t.size = size
        t.calls = calls
        t.answered = answered
        return t
    }

    /// The callers that can be among the `top` repeat callers (every caller with as many calls as
    /// the `top`-th most, so ties are broken by number as the scan does), with their calls,
    /// answered calls and campaigns (first and last call left for the report to look up).
    func topCandidates(_ db: Database, _ top: Int) throws -> [String: CallersReport.Caller] {
        let repeatCounts = calls.filter { $0 > 1 }.sorted(by: >)
        guard top > 0, let floor = repeatCounts.prefix(top).last else { return [:] }
        var out: [String: CallersReport.Caller] = [:]
        for id in calls.indices where calls[id] >= floor {
            guard let number = try String.fetchOne(db, sql: "SELECT caller FROM report_caller_ids WHERE id = ?", arguments: [id]) else { continue }
            var c = CallersReport.Caller(calls: Int(calls[id]), answered: Int(answered[id]))
            for s in 1..<names.count where seen[s * size + id] > 0 { c.campaigns.insert(names[s]) }
            out[number] = c
        }
        return out
    }
}
