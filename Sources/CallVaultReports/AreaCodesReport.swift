import CallVaultCore
import CallVaultStore
import Foundation

/// `report area-codes`: calls by caller area code and region/place (country for non-NANP), with answer rate.
public enum AreaCodesReport {
    public static let columns = ["area_code", "region", "place", "country", "calls", "answered", "answer_rate", "unique_callers",
                                 "dead_air_calls"]

    typealias Key = DimensionSource.AreaKey
    /// An area's numbers: calls, answered calls, unique callers, answered calls with dead air.
    typealias Tally = (calls: Int, answered: Int, callers: Int, deadAir: Int)

    public static func run(_ index: CallIndex, filter: ReportFilter) throws -> ReportTable {
        try run(.sqlite(index), filter: filter)
    }

    /// From SQLite's aggregates where they serve; otherwise, and on every other backend, from every matching call.
    public static func run(_ index: ReportIndex, filter: ReportFilter) throws -> ReportTable {
        var aggregates: [Key: Tally]?
        if let store = index.aggregates { aggregates = try aggregated(store, filter: filter) }
        let tallies = try aggregates ?? scanned(index, filter: filter)
        var table = ReportTable(title: "Calls by caller area code", columns: columns, notes: filter.notes)
        // Most calls first; ties by area code, then region, place and country, so the order never
        // depends on the dictionary's (one code can have several places). A missing field sorts
        // before any text, the empty one too: two keys apart only in a nil and an empty place
        // print alike, and tied in the order they came out in the dictionary's order.
        func order(_ k: Key) -> [String] {
            [k.area ?? "~"] + [k.region, k.place, k.country].map { $0.map { "1" + $0 } ?? "0" }
        }
        for (k, t) in tallies.sorted(by: {
            $0.value.calls != $1.value.calls ? $0.value.calls > $1.value.calls : order($0.key).lexicographicallyPrecedes(order($1.key))
        }) {
            let country = k.country.map { PhoneGeography.countryName($0) ?? $0 }
            table.rows.append([.optional(k.area), .optional(k.region), .optional(k.place), .optional(country),
                               .int(t.calls), .int(t.answered), .rate(t.answered, t.calls), .int(t.callers), .int(t.deadAir)])
        }
        return table
    }

    /// Every matching call (`--exact-scan`, or an index without the dimension aggregates).
    static func scanned(_ index: ReportIndex, filter: ReportFilter) throws -> [Key: Tally] {
        var tallies: [Key: (calls: Int, answered: Int, callers: Set<String>, deadAir: Int)] = [:]
        try index.forEachCall(filter) { c in
            let key = c.caller == nil ? Key(area: nil, region: "(anonymous)", place: nil, country: nil)
                : Key(area: c.areaCode, region: c.region, place: c.place, country: c.country)
            tallies[key, default: (0, 0, [], 0)].calls += 1
            if c.outcome == .answered { tallies[key]!.answered += 1 }
            if c.deadAir { tallies[key]!.deadAir += 1 }
            if let caller = c.caller { tallies[key]!.callers.insert(caller) }
        }
        return tallies.mapValues { (calls: $0.calls, answered: $0.answered, callers: $0.callers.count, deadAir: $0.deadAir) }
    }

    /// From `report_area_days` and ``CallerPacks`` (with the partial days and quarters at either
    /// end from the calls); nil when the report scans.
    static func aggregated(_ index: any ReportAggregateStore, filter: ReportFilter) throws -> [Key: Tally]? {
        guard let source = try DimensionSource.make(index, filter),
              let callerSource = try AggregateSource.make(index, filter, callers: true) else { return nil }
        var result: [Key: Tally] = [:]
        try index.readAggregates { db in
            let areaCount = (source.areas.keys.max() ?? 0) + 1
            let largestCaller = try ReportKeys.largestCallerId(db)
            let allowed = source.keys.allowed(filter)
            let parts = try callerSource.countCallerEntries(db, index, make: {
                AreaCallers(allowed: allowed, areas: areaCount, largestCaller: largestCaller)
            })
            var callers = parts[0].sets
            for part in parts.dropFirst() {
                for (id, set) in part.sets.enumerated() {
                    guard let set else { continue }
                    if let mine = callers[id] { mine.formUnion(set) } else { callers[id] = set }
                }
            }
            var callerCounts: [Key: Int] = [:]
            for (id, set) in callers.enumerated() {
                guard let set, let key = source.areas[id] else { continue }
                callerCounts[key, default: 0] += set.count
            }
            for (key, sums) in try source.areaSums(db) {
                result[key] = (calls: sums.calls, answered: sums.answered, callers: callerCounts[key] ?? 0, deadAir: sums.deadAir)
            }
        }
        return result
    }
}

/// One thread's callers per area key (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``):
/// a set per area key id, made when the area's first caller shows.
private final class AreaCallers: CallerEntryCounter {
    let allowed: [Bool]
    let largestCaller: Int
    private(set) var sets: [CallerBits?]

    init(allowed: [Bool], areas: Int, largestCaller: Int) {
        self.allowed = allowed
        self.largestCaller = largestCaller
        sets = Array(repeating: nil, count: areas)
    }

    func count(_ batch: [CallerPacks.Entry]) {
        for e in batch {
            guard e.number < allowed.count, allowed[e.number], e.area >= 0, e.area < sets.count else { continue }
            if let set = sets[e.area] { set.insert(e.caller); continue }
            let set = CallerBits(capacity: largestCaller)
            set.insert(e.caller)
            sets[e.area] = set
        }
    }
}
