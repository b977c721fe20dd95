import CallVaultCore
import CallVaultStore
import GRDB

/// `report callers` from ``CallerPacks``: per scope (all calls, each campaign) the unique and
/// repeat callers, and per caller the calls and answered calls, over integer caller ids.
///
/// Per caller and scope a saturating count (0, 1, 2 = more than once) in a byte array per scope,
/// per caller a call and an answered count: arrays indexed by caller id, no hashing per call.
struct CallerTallies {
    /// A scope's unique and repeat callers, and its calls with a caller (the rest are anonymous).
    struct Counts { var unique = 0, repeated = 0, calls = 0 }
    private(set) var scopes: [String: Counts] = [:]
    private var keys = ReportKeys()
    private var names: [String] = []
    /// Scope index ▶ caller id ▶ 0, 1 or 2 (more than once).
    private var seen: [[UInt8]] = []
    private var calls: [Int32] = [], answered: [Int32] = []
    /// Scope index ▶ its calls with a caller.
    private var scopeCalls: [Int] = []

    static func count(_ db: Database, _ source: AggregateSource, _ filter: ReportFilter) throws -> CallerTallies {
        var t = CallerTallies()
        t.keys = try ReportKeys.read(db)
        let size = t.keys.maxCallerId + 1
        let allowed = t.keys.allowed(filter)
        // Scope 0 is "(all)"; each number key's campaign is a scope of its own.
        t.names = ["(all)"]
        var indexOf: [String: Int] = [:]
        let scopeOf = t.keys.perNumber(0) { k in
            let name = k.campaign ?? "(unassigned)"
            if let i = indexOf[name] { return i }
            indexOf[name] = t.names.count
            t.names.append(name)
            return t.names.count - 1
        }
        t.seen = Array(repeating: [UInt8](repeating: 0, count: size), count: t.names.count)
        t.calls = Array(repeating: 0, count: size)
        t.answered = Array(repeating: 0, count: size)
        t.scopeCalls = Array(repeating: 0, count: t.names.count)
        try source.callerEntries(db) { batch in
            for e in batch {
                guard e.number < allowed.count, allowed[e.number] else { continue }
                if e.caller >= t.calls.count { t.grow(to: e.caller + 1) }
                t.calls[e.caller] += 1
                if e.answered { t.answered[e.caller] += 1 }
                let scope = scopeOf[e.number]
                t.scopeCalls[0] += 1
                t.scopeCalls[scope] += 1
                if t.seen[0][e.caller] < 2 { t.seen[0][e.caller] += 1 }
                if t.seen[scope][e.caller] < 2 { t.seen[scope][e.caller] += 1 }
            }
        }
        for (i, name) in t.names.enumerated() {
            var c = Counts(calls: t.scopeCalls[i])
            for n in t.seen[i] where n > 0 {
                c.unique += 1
                if n > 1 { c.repeated += 1 }
            }
            if c.unique > 0 { t.scopes[name] = c }
        }
        return t
    }

    private mutating func grow(to size: Int) {
        let more = size - calls.count
        calls += Array(repeating: 0, count: more)
        answered += Array(repeating: 0, count: more)
        for i in seen.indices { seen[i] += Array(repeating: 0, count: more) }
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
            for s in 1..<names.count where seen[s][id] > 0 { c.campaigns.insert(names[s]) }
            out[number] = c
        }
        return out
    }
}
