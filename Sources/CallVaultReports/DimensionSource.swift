import CallVaultCore
import CallVaultStore
import Foundation

/// Reads the per-day dimension aggregates (see `DimensionAggregates` in CallVaultStore): calls by
/// tracking number, source and medium, by caller area, and the callers of each.
///
/// Whole UTC days inside `[since, until)` come from the day tables; the partial days at either end
/// from the calls, through the started_at index, turned into the same integer keys with one
/// look-up each. `--campaign` keeps the number keys (and area rows) of those campaigns.
struct DimensionSource {
    typealias NumberKey = ReportKeys.NumberKey
    typealias AreaKey = ReportKeys.AreaKey
    struct Sums { var calls = 0, answered = 0, missed = 0, abandoned = 0, talk = 0, duration = 0, deadAir = 0 }
    struct AreaSums { var calls = 0, answered = 0, deadAir = 0 }

    let filter: ReportFilter
    /// Whole days [dayFrom, dayTo) from the aggregates (nil: unbounded), unless `noAggregate`.
    private var dayFrom: Int?, dayTo: Int?
    private var noAggregate = false
    /// Partial days read from `calls`: [from, to) as index timestamps, added (`sign` 1) to the
    /// whole days or taken from them (-1).
    private var edges: [(from: String, to: String, sign: Int)] = []
    /// What the number and area keys stand for.
    private(set) var keys = ReportKeys()
    var numbers: [Int: NumberKey] { keys.numbers }
    var areas: [Int: AreaKey] { keys.areas }

    /// nil when the report must scan: `--exact-scan`, or an index without the tables.
    static func make(_ index: any ReportAggregateStore, _ filter: ReportFilter) throws -> DimensionSource? {
        guard !filter.exactScan, try index.aggregateAvailability().dimensions else { return nil }
        var source = DimensionSource(filter: filter)
        source.keys = try index.readAggregates { db in try ReportKeys.read(db) }
        return source
    }

    /// Each end of the period that is not a UTC midnight is read from the calls the shorter
    /// way: the part of its day inside the period added to the whole days after it, or the
    /// whole day taken with the part outside the period subtracted. A local year in Kathmandu
    /// (+05:45) starts at 18:15 UTC: 5 h 45 min added at the start, and at the end 5 h 45 min
    /// subtracted instead of 18 h 15 min added — at most 12 hours of calls at each end.
    private init(filter: ReportFilter) {
        self.filter = filter
        // The scan compares started_at with the formatted bound, so the bound is that second.
        let since = filter.since.map { Clock.epoch(Timestamp.format($0)) }
        let until = filter.until.map { Clock.epoch(Timestamp.format($0)) }
        func floorDay(_ e: Int) -> Int { e >= 0 ? e / 86400 : -((-e + 86399) / 86400) }
        func text(_ e: Int) -> String { Timestamp.format(Date(timeIntervalSince1970: Double(e))) }
        if let s = since, let u = until, s >= u { noAggregate = true; return }
        var ends: [(from: String, to: String, sign: Int)] = []
        if let s = since {
            let day = floorDay(s), start = day * 86400
            if s == start { dayFrom = day }
            else if start + 86400 - s <= s - start { dayFrom = day + 1; ends.append((text(s), text(start + 86400), 1)) }
            else { dayFrom = day; ends.append((text(start), text(s), -1)) }
        }
        if let u = until {
            let day = floorDay(u), start = day * 86400
            if u == start { dayTo = day }
            else if u - start <= start + 86400 - u { dayTo = day; ends.append((text(start), text(u), 1)) }
            else { dayTo = day + 1; ends.append((text(u), text(start + 86400), -1)) }
        }
        if let a = dayFrom, let b = dayTo, a >= b {
            noAggregate = true
            edges = [(text(since!), text(until!), 1)]
            return
        }
        edges = ends
    }

    /// Whether the number key is in the filter's campaigns (every key without `--campaign`).
    func allowed(number id: Int) -> Bool {
        filter.campaigns.isEmpty || filter.campaigns.contains(numbers[id]?.campaign ?? "")
    }

    /// `day >= ? AND day < ?` for the aggregate part, or nil when there is none.
    private var dayCondition: (String, [IndexValue])? {
        if noAggregate { return nil }
        var c: [String] = [], a: [IndexValue] = []
        if let dayFrom { c.append("day >= ?"); a.append(.integer(Int64(dayFrom))) }
        if let dayTo { c.append("day < ?"); a.append(.integer(Int64(dayTo))) }
        return (c.isEmpty ? "1 = 1" : c.joined(separator: " AND "), a)
    }

    /// Each edge as a condition on `calls` (with the campaigns) and its sign.
    private var edgeConditions: [(String, [IndexValue], sign: Int)] {
        edges.map { edge in
            var a: [IndexValue] = [.text(edge.from), .text(edge.to)]
            var sql = "started_at >= ? AND started_at < ?"
            if !filter.campaigns.isEmpty {
                sql += " AND campaign IN (\(Array(repeating: "?", count: filter.campaigns.count).joined(separator: ", ")))"
                a += filter.campaigns.map(IndexValue.text)
            }
            return (sql, a, edge.sign)
        }
    }

    private static let numberKeyOfCall = DimensionAggregates.portableKeysOfCall.number
    private static let areaKeyOfCall = DimensionAggregates.portableKeysOfCall.area
    private static func flag(_ outcome: Outcome) -> String { "CAST(outcome = \(outcome.sqlLiteral) AS INTEGER)" }

    /// Calls, outcomes and sums per number key in the period (keys of other campaigns left out).
    func numberSums(_ db: any ReportAggregateReader) throws -> [NumberKey: Sums] {
        var parts: [String] = [], args: [IndexValue] = []
        if let (dc, da) = dayCondition {
            parts.append("SELECT number_key, calls, answered, missed, abandoned, talk_ms, duration_ms, dead_air FROM report_number_days WHERE \(dc)")
            args += da
        }
        for (ec, ea, sign) in edgeConditions {
            parts.append("""
                SELECT \(Self.numberKeyOfCall), \(sign), \(sign) * \(Self.flag(.answered)),
                       \(sign) * \(Self.flag(.missed)), \(sign) * \(Self.flag(.abandoned)),
                       \(sign) * talk_ms, \(sign) * duration_ms, \(sign) * \(db.dialect.deadAir("calls.")) FROM calls WHERE \(ec)
                """)
            args += ea
        }
        var byId: [Int: Sums] = [:]
        if !parts.isEmpty {
            var sql = parts.joined(separator: "\nUNION ALL\n")
            if db.dialect == .postgres {
                // Summed by the server: a year is 146,000 day rows of 400 tracking numbers, and a
                // row costs postgres-nio a value per cell (SQLite's rows cost nothing to step through).
                sql = "SELECT k, " + ["a", "b", "c", "d", "e", "f", "g"].map { "CAST(sum(\($0)) AS BIGINT)" }.joined(separator: ", ")
                    + " FROM (\(sql)) AS u(k, a, b, c, d, e, f, g) GROUP BY k"
            }
            try db.forEachRow(sql, args) { r in
                let id = try r.int(0)
                guard allowed(number: id) else { return }
                byId[id, default: Sums()].calls += try r.int(1)
                byId[id]!.answered += try r.int(2)
                byId[id]!.missed += try r.int(3)
                byId[id]!.abandoned += try r.int(4)
                byId[id]!.talk += try r.int(5)
                byId[id]!.duration += try r.int(6)
                byId[id]!.deadAir += try r.int(7)
            }
        }
        // A number whose calls were all subtracted away (none in the period) is not a group.
        byId = byId.filter { $0.value.calls != 0 }
        var sums: [NumberKey: Sums] = [:]
        for (id, s) in byId {
            guard let key = numbers[id] else { continue }
            sums[key] = s
        }
        return sums
    }

    /// Calls, answered calls and calls with dead air per area key in the period.
    func areaSums(_ db: any ReportAggregateReader) throws -> [AreaKey: AreaSums] {
        var parts: [String] = [], args: [IndexValue] = []
        if let (dc, da) = dayCondition {
            var sql = "SELECT area_key, calls, answered, dead_air FROM report_area_days WHERE \(dc)"
            args += da
            if !filter.campaigns.isEmpty {
                sql += " AND campaign IN (\(Array(repeating: "?", count: filter.campaigns.count).joined(separator: ", ")))"
                args += filter.campaigns.map(IndexValue.text)
            }
            parts.append(sql)
        }
        for (ec, ea, sign) in edgeConditions {
            parts.append("SELECT \(Self.areaKeyOfCall), \(sign), \(sign) * \(Self.flag(.answered)), \(sign) * \(db.dialect.deadAir("calls.")) FROM calls WHERE \(ec)")
            args += ea
        }
        var byId: [Int: AreaSums] = [:]
        if !parts.isEmpty {
            var sql = parts.joined(separator: "\nUNION ALL\n")
            if db.dialect == .postgres {
                // Summed by the server (see numberSums).
                sql = "SELECT k, CAST(sum(a) AS BIGINT), CAST(sum(b) AS BIGINT), CAST(sum(c) AS BIGINT) FROM (\(sql)) AS u(k, a, b, c) GROUP BY k"
            }
            try db.forEachRow(sql, args) { r in
                let id = try r.int(0)
                byId[id, default: AreaSums()].calls += try r.int(1)
                byId[id]!.answered += try r.int(2)
                byId[id]!.deadAir += try r.int(3)
            }
        }
        var sums: [AreaKey: AreaSums] = [:]
        for (id, s) in byId where s.calls != 0 {
            guard let key = areas[id] else { continue }
            sums[key] = s
        }
        return sums
    }

    /// The callers whose first call in the whole index is in the period (and campaigns), counted
    /// by the number key of that call (`report_first_calls` keeps its tracking number, source and
    /// medium): SQLite a row and a count of 1 per caller, PostgreSQL a row per key (summed by the
    /// server: a year at 1M calls is 200,000 first calls of 400 tracking numbers).
    func firstCallNumbers(_ db: any ReportAggregateReader) throws -> [(key: NumberKey, callers: Int)] {
        var c: [String] = [], a: [IndexValue] = []
        if let since = filter.since { c.append("started_at >= ?"); a.append(.text(Timestamp.format(since))) }
        if let until = filter.until { c.append("started_at < ?"); a.append(.text(Timestamp.format(until))) }
        if !filter.campaigns.isEmpty {
            c.append("campaign IN (\(Array(repeating: "?", count: filter.campaigns.count).joined(separator: ", ")))")
            a += filter.campaigns.map(IndexValue.text)
        }
        var sql = "SELECT campaign, tracking_number, source, medium, 1 FROM report_first_calls"
            + (c.isEmpty ? "" : " WHERE " + c.joined(separator: " AND "))
        if db.dialect == .postgres {
            sql = "SELECT campaign, tracking_number, source, medium, count(*) FROM (\(sql)) AS f GROUP BY 1, 2, 3, 4"
        }
        var keys: [(key: NumberKey, callers: Int)] = []
        try db.forEachRow(sql, a) { r in
            let campaign = try r.text(0)
            keys.append((NumberKey(campaign: campaign.isEmpty ? nil : campaign, trackingNumber: try r.text(1), source: try r.optionalText(2),
                                   medium: try r.optionalText(3)), try r.int(4)))
        }
        return keys
    }
}
