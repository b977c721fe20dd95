import CallVaultCore
import CallVaultStore

/// `report callers` from ``CallerPacks``: per scope (all calls, each campaign) the unique and
/// repeat callers, and per caller the calls and answered calls, over integer caller ids.
///
/// Per caller one slot of 64-bit words in a flat buffer (``FlatBuffer``): its calls (low half)
/// and answered calls (high half), then per campaign scope a "called" bit and a "called again"
/// bit. An entry touches one slot (a cache line, where a byte per scope and caller in a separate
/// array missed the cache three times per call: most of the report's time at 10M calls). Scope 0,
/// "(all)", is read from the call count. Counted by two threads at once
/// (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``), merged by adding counts and
/// or-ing bits.
struct CallerTallies {
    /// A scope's unique and repeat callers, and its calls with a caller (the rest are anonymous).
    struct Counts { var unique = 0, repeated = 0, calls = 0 }
    private(set) var scopes: [String: Counts] = [:]
    private let names: [String]
    private let slots: Slots

    /// The per-caller slots of one part.
    final class Slots: CallerEntryCounter {
        let allowed: [Bool], scopeOf: [Int]
        /// Words per bit set (64 scopes each): a slot is 1 + 2 × `words` words.
        let words: Int, stride: Int, size: Int
        let buffer: FlatBuffer<UInt64>
        /// Calls per scope (with a caller).
        let scopeCalls: FlatBuffer<Int>

        init(allowed: [Bool], scopeOf: [Int], scopes: Int, largestCaller: Int) {
            self.allowed = allowed
            self.scopeOf = scopeOf
            words = scopes / 64 + 1
            stride = 1 + 2 * words
            size = largestCaller + 1
            buffer = FlatBuffer(repeating: 0, count: size * stride)
            scopeCalls = FlatBuffer(repeating: 0, count: scopes)
        }

        func count(_ batch: [CallerPacks.Entry]) {
            let words = self.words, stride = self.stride, size = self.size
            for e in batch {
                // Ids beyond the largest read with the keys (none, in one transaction) are left out.
                guard e.number < allowed.count, allowed[e.number], e.caller >= 0, e.caller < size else { continue }
                let scope = scopeOf[e.number]
                scopeCalls[0] &+= 1
                scopeCalls[scope] &+= 1
                let base = e.caller &* stride
                buffer[base] &+= e.answered ? 1 | 1 << 32 : 1
                guard scope > 0 else { continue }
                let once = base &+ 1 &+ scope >> 6, bit: UInt64 = 1 << UInt64(scope & 63)
                let seen = buffer[once]
                if seen & bit == 0 { buffer[once] = seen | bit } else { buffer[once &+ words] |= bit }
            }
        }

        func calls(_ caller: Int) -> Int { Int(buffer[caller * stride] & 0xFFFF_FFFF) }
        func answered(_ caller: Int) -> Int { Int(buffer[caller * stride] >> 32) }
        /// 0, 1 or 2 (more than once): how often `caller` called in `scope` (> 0).
        func seen(_ caller: Int, scope: Int) -> Int {
            let once = caller * stride + 1 + scope >> 6, bit: UInt64 = 1 << UInt64(scope & 63)
            return buffer[once] & bit == 0 ? 0 : buffer[once + words] & bit == 0 ? 1 : 2
        }

        /// Adds `other`'s counts (a later part: same sizes).
        func merge(_ other: Slots) {
            for i in 0..<scopeCalls.count { scopeCalls[i] += other.scopeCalls[i] }
            for caller in 0..<size {
                let base = caller * stride
                buffer[base] &+= other.buffer[base]
                for w in 0..<words {
                    let a = base + 1 + w, b = a + words
                    buffer[b] |= other.buffer[b] | (buffer[a] & other.buffer[a])
                    buffer[a] |= other.buffer[a]
                }
            }
        }
    }

    static func count(_ db: any ReportAggregateReader, _ index: any ReportAggregateStore, _ source: AggregateSource, _ filter: ReportFilter) throws -> CallerTallies {
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
        let scopeCount = names.count
        let parts = try source.countCallerEntries(db, index, make: {
            Slots(allowed: allowed, scopeOf: scopeOf, scopes: scopeCount, largestCaller: keys.maxCallerId)
        })
        for part in parts.dropFirst() { parts[0].merge(part) }
        return CallerTallies(names: names, slots: parts[0])
    }

    private init(names: [String], slots: Slots) {
        self.names = names
        self.slots = slots
        var counts = Array(repeating: Counts(), count: names.count)
        for caller in 0..<slots.size {
            let calls = slots.calls(caller)
            guard calls > 0 else { continue }
            counts[0].unique += 1
            if calls > 1 { counts[0].repeated += 1 }
            for scope in 1..<max(names.count, 1) {
                let n = slots.seen(caller, scope: scope)
                guard n > 0 else { continue }
                counts[scope].unique += 1
                if n > 1 { counts[scope].repeated += 1 }
            }
        }
        for (i, name) in names.enumerated() {
            var c = counts[i]
            c.calls = slots.scopeCalls[i]
            if c.unique > 0 { scopes[name] = c }
        }
    }

    /// The callers that can be among the `top` repeat callers (every caller with as many calls as
    /// the `top`-th most, so ties are broken by number as the scan does), with their calls,
    /// answered calls and campaigns (first and last call left for the report to look up).
    func topCandidates(_ db: any ReportAggregateReader, _ top: Int) throws -> [String: CallersReport.Caller] {
        let repeatCounts = (0..<slots.size).map { slots.calls($0) }.filter { $0 > 1 }.sorted(by: >)
        guard top > 0, let floor = repeatCounts.prefix(top).last else { return [:] }
        let ids = (0..<slots.size).filter { slots.calls($0) >= floor }
        // Their numbers in one statement (a round trip each was most of the report's tail on
        // PostgreSQL), a few hundred ids at a time (ties can make the candidates many).
        var numbers: [Int: String] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            try db.forEachRow("SELECT id, caller FROM report_caller_ids WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))",
                              chunk.map { .integer(Int64($0)) }) { numbers[try $0.int(0)] = try $0.text(1) }
        }
        var out: [String: CallersReport.Caller] = [:]
        for id in ids {
            guard let number = numbers[id] else { continue }
            var c = CallersReport.Caller(calls: slots.calls(id), answered: slots.answered(id))
            for s in 1..<names.count where slots.seen(id, scope: s) > 0 { c.campaigns.insert(names[s]) }
            out[number] = c
        }
        return out
    }
}
