import CallVaultCore
import CallVaultStore
import Foundation

/// Reads the per-quarter aggregates (see `ReportAggregates` in CallVaultStore) for a report filter.
///
/// Whole quarters inside `[since, until)` come from the aggregate tables; the partial quarters
/// at either end (a `--since` of 10:07) come from the calls themselves, through the started_at
/// index, so any bounds give the same numbers as a scan.
struct AggregateSource {
    struct Quarter { var q: Int; var outcome: Outcome; var calls, anonymous, talk, duration, deadAir: Int }
    struct FirstCall { var epoch: Int; var campaign: String? }

    let filter: ReportFilter
    /// Whole quarters [qFrom, qTo) read from the aggregates (nil: unbounded).
    private var qFrom: Int?, qTo: Int?
    private var noAggregate = false
    /// Partial quarters read from `calls`: [from, to) as index timestamps; the one before the
    /// whole quarters (or the only one, when there are none) and the one after them.
    private var leadingEdge: (String, String)?, trailingEdge: (String, String)?
    private var edges: [(String, String)] { [leadingEdge, trailingEdge].compactMap { $0 } }

    /// nil when the report must scan: `--exact-scan`, or an index without the aggregates (with
    /// `callers`, without ``CallerPacks`` it can use).
    static func make(_ index: any ReportAggregateStore, _ filter: ReportFilter, callers: Bool = false) throws -> AggregateSource? {
        guard !filter.exactScan else { return nil }
        let available = try index.aggregateAvailability()
        guard available.quarters, !callers || available.callerPacks else { return nil }
        return AggregateSource(filter: filter)
    }

    private init(filter: ReportFilter) {
        self.filter = filter
        // The scan compares started_at with the formatted bound, so the bound is that second.
        let since = filter.since.map { Clock.epoch(Timestamp.format($0)) }
        let until = filter.until.map { Clock.epoch(Timestamp.format($0)) }
        func floorQ(_ e: Int) -> Int { e >= 0 ? e / 900 : -((-e + 899) / 900) }
        func text(_ e: Int) -> String { Timestamp.format(Date(timeIntervalSince1970: Double(e))) }
        if let s = since, let u = until, s >= u { noAggregate = true; return }
        qFrom = since.map { floorQ($0 + 899) }
        qTo = until.map { floorQ($0) }
        if let a = qFrom, let b = qTo, a >= b {
            noAggregate = true
            leadingEdge = (text(since!), text(until!))
            return
        }
        if let s = since, let a = qFrom, s != a * 900 { leadingEdge = (text(s), text(a * 900)) }
        if let u = until, let b = qTo, u != b * 900 { trailingEdge = (text(b * 900), text(u)) }
    }

    private var campaignCondition: (String, [IndexValue])? {
        guard !filter.campaigns.isEmpty else { return nil }
        return ("campaign IN (\(Array(repeating: "?", count: filter.campaigns.count).joined(separator: ", ")))",
                filter.campaigns.map(IndexValue.text))
    }

    /// `q >= ? AND q < ?` for the aggregate part, or nil when there is none.
    private var quarterCondition: (String, [IndexValue])? {
        if noAggregate { return nil }
        var c: [String] = [], a: [IndexValue] = []
        if let qFrom { c.append("q >= ?"); a.append(.integer(Int64(qFrom))) }
        if let qTo { c.append("q < ?"); a.append(.integer(Int64(qTo))) }
        return (c.isEmpty ? "1 = 1" : c.joined(separator: " AND "), a)
    }

    /// The edges as one condition on `calls`, or nil when there are none.
    private var edgeCondition: (String, [IndexValue])? {
        guard !edges.isEmpty else { return nil }
        var a: [IndexValue] = []
        for (from, to) in edges { a += [.text(from), .text(to)] }
        return ("(" + edges.map { _ in "(started_at >= ? AND started_at < ?)" }.joined(separator: " OR ") + ")", a)
    }

    private static func campaign(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Calls per quarter and outcome (of `--campaign`'s campaigns when given).
    func quarters(_ db: any ReportAggregateReader) throws -> [Quarter] {
        let campaignTable = !filter.campaigns.isEmpty
        var parts: [String] = [], args: [IndexValue] = []
        let sums = "q, o, CAST(sum(n) AS BIGINT) AS n, CAST(sum(anon) AS BIGINT) AS anon, CAST(sum(t) AS BIGINT) AS t, CAST(sum(d) AS BIGINT) AS d, "
            + "CAST(sum(da) AS BIGINT) AS da"
        if let (qc, qa) = quarterCondition {
            var sql = "SELECT q AS q, outcome AS o, calls AS n, anonymous AS anon, talk_ms AS t, duration_ms AS d, dead_air AS da FROM \(campaignTable ? "report_campaign_quarters" : "report_quarters") WHERE \(qc)"
            args += qa
            if let (cc, ca) = campaignCondition { sql += " AND \(cc)"; args += ca }
            // One row per quarter and outcome already, unless several campaigns' rows add up to one.
            parts.append(campaignTable ? "SELECT \(sums) FROM (\(sql)) AS c GROUP BY q, o" : sql)
        }
        if let (ec, ea) = edgeCondition {
            var sql = """
                SELECT \(db.dialect.quarter("started_at")) AS q, outcome AS o, 1 AS n, CAST(caller IS NULL AS INTEGER) AS anon,
                       talk_ms AS t, duration_ms AS d, \(db.dialect.deadAir("calls.")) AS da FROM calls WHERE \(ec)
                """
            args += ea
            if let (cc, ca) = campaignCondition { sql += " AND \(cc)"; args += ca }
            // The edges lie outside the table's quarters: only their own calls need grouping.
            parts.append("SELECT \(sums) FROM (\(sql)) AS e GROUP BY q, o")
        }
        guard !parts.isEmpty else { return [] }
        let sql = "SELECT q, \(Outcome.codeSQL("o", db.dialect)), n, anon, t, d, da FROM (\(parts.joined(separator: "\nUNION ALL\n"))) AS u"
        if db.dialect == .postgres {
            // As columns: a year is about 100,000 rows, and a row costs postgres-nio a value per cell.
            let c = try db.columns(sql, args, ints: 7, texts: 0)
            return try (0..<c.count).map { i in
                guard c.ints[1][i] >= 0 && c.ints[1][i] < Outcome.allCases.count else {
                    throw IndexError(.unusable, "report aggregates, quarter \(c.ints[0][i]): an unknown outcome in the index")
                }
                return Quarter(q: c.ints[0][i], outcome: Outcome.allCases[c.ints[1][i]], calls: c.ints[2][i], anonymous: c.ints[3][i],
                               talk: c.ints[4][i], duration: c.ints[5][i], deadAir: c.ints[6][i])
            }
        }
        // Through a cursor (no copy of each row): a year is about 100,000 rows at any volume.
        var quarters: [Quarter] = []
        try db.forEachRow(sql, args) { r in
            quarters.append(Quarter(q: try r.int(0), outcome: try Outcome.decode(code: r, at: 1, in: "report aggregates, quarter \((try? r.int(0)) ?? 0)"),
                                    calls: try r.int(2), anonymous: try r.int(3), talk: try r.int(4), duration: try r.int(5),
                                    deadAir: try r.int(6)))
        }
        return quarters
    }

    private static let keysOfCall = DimensionAggregates.portableKeysOfCall

    /// A part of the period for ``callerEntries(_:part:_:)``: the whole quarters [from, to) (nil:
    /// unbounded), and whether the part reads the leading and the trailing edge.
    struct EntryPart: Sendable {
        var from: Int?, to: Int?
        var leading: Bool, trailing: Bool
    }

    /// The whole period as one part.
    var wholePeriod: EntryPart { EntryPart(from: qFrom, to: qTo, leading: true, trailing: true) }

    /// The whole quarters of the period as a range, when it has any and callers packed there
    /// (an unbounded end is the first or last packed quarter).
    func packedQuarters(_ db: any ReportAggregateReader) throws -> Range<Int>? {
        if noAggregate { return nil }
        guard let lo = try qFrom ?? db.packedQuarter(last: false), let hi = try qTo ?? db.packedQuarter(last: true).map({ $0 + 1 }) else { return nil }
        return lo < hi ? lo..<hi : nil
    }

    /// Every call with a caller in `part` of the period, in quarter order, as (quarter, caller
    /// id, number key, area key, answered): the whole quarters from ``CallerPacks``, the partial
    /// ones at either end from the calls (their keys looked up). Campaigns are not filtered here:
    /// the caller keeps the number keys of `--campaign` (see ``ReportKeys``).
    /// `body` gets the entries a batch at a time (a quarter, or a partial period at one end).
    func callerEntries(_ db: any ReportAggregateReader, part: EntryPart, _ body: ([CallerPacks.Entry]) throws -> Void) throws {
        func edge(_ e: (String, String)) throws {
            var batch: [CallerPacks.Entry] = []
            try db.forEachRow("""
                SELECT \(db.dialect.quarter("started_at")), \(Self.keysOfCall.caller), \(Self.keysOfCall.number), \(Self.keysOfCall.area),
                       CAST(outcome = \(Outcome.answered.sqlLiteral) AS INTEGER)
                FROM calls WHERE started_at >= ? AND started_at < ? AND caller IS NOT NULL ORDER BY started_at
                """, [.text(e.0), .text(e.1)]) { r in
                batch.append(CallerPacks.Entry(q: try r.int(0), caller: try r.int(1), number: try r.int(2), area: try r.int(3),
                                               answered: try r.int(4) != 0))
            }
            if !batch.isEmpty { try body(batch) }
        }
        if let leadingEdge, part.leading { try edge(leadingEdge) }
        if !noAggregate { try CallerPacks.forEach(db, from: part.from, to: part.to, body) }
        if let trailingEdge, part.trailing { try edge(trailingEdge) }
    }

    /// Calls per NANP area code and label (place, else region) in the period: from
    /// `report_area_quarters` and the edges, or with `--campaign` from those campaigns' calls
    /// (the table is not kept per campaign). Keys are the chart's `"212 New York"`.
    func areaCalls(_ db: any ReportAggregateReader) throws -> [String: Int] {
        let label = "coalesce(caller_place, coalesce(caller_region, ''))"
        var parts: [String] = [], args: [IndexValue] = []
        if !filter.campaigns.isEmpty {
            let (clause, a) = filter.query.conditions(db.dialect)
            parts.append("SELECT caller_area_code AS a, \(label) AS l, count(*) AS n FROM calls \(clause) AND caller_area_code IS NOT NULL GROUP BY 1, 2")
            args += a
        } else {
            if let (qc, qa) = quarterCondition {
                parts.append("SELECT area_code AS a, label AS l, calls AS n FROM \(AreaAggregates.table) WHERE \(qc)")
                args += qa
            }
            if let (ec, ea) = edgeCondition {
                parts.append("SELECT caller_area_code AS a, \(label) AS l, 1 AS n FROM calls WHERE \(ec) AND caller_area_code IS NOT NULL")
                args += ea
            }
        }
        guard !parts.isEmpty else { return [:] }
        var areas: [String: Int] = [:]
        let sql = "SELECT a, l, CAST(sum(n) AS BIGINT) FROM (\(parts.joined(separator: "\nUNION ALL\n"))) AS u GROUP BY a, l"
        try db.forEachRow(sql, args) { r in
            areas["\(try r.text(0)) \(try r.text(1))", default: 0] += try r.int(2)
        }
        return areas
    }

    /// The callers whose first call in the whole index is in the period (and campaigns): when
    /// and in which campaign (each caller once, so a count of them is a count of callers).
    func firstCalls(_ db: any ReportAggregateReader) throws -> [FirstCall] {
        var c: [String] = [], a: [IndexValue] = []
        if let since = filter.since { c.append("started_at >= ?"); a.append(.text(Timestamp.format(since))) }
        if let until = filter.until { c.append("started_at < ?"); a.append(.text(Timestamp.format(until))) }
        if let (cc, ca) = campaignCondition { c.append(cc); a += ca }
        let condition = c.isEmpty ? "" : " WHERE " + c.joined(separator: " AND ")
        // As columns (PostgreSQL: a cell per column, not per value; a year at 1M calls is 200,000
        // first calls), the times parsed here (the server's text-to-timestamp took twice its scan).
        let columns = try db.columns("SELECT started_at, campaign FROM report_first_calls" + condition, a, ints: 0, texts: 2)
        return (0..<columns.count).map { FirstCall(epoch: Clock.epoch(columns.texts[0][$0]), campaign: Self.campaign(columns.texts[1][$0])) }
    }
}

/// A quarter's calls all fall in one local hour only when the zone's offset is a whole number of
/// quarters (true of every zone in use today); otherwise the report scans.
struct NotQuarterAligned: Error {}

extension Clock {
    /// Local seconds of a quarter's start, or throws when the offset is not a multiple of 15 minutes.
    mutating func localQuarter(_ q: Int) throws -> Int {
        let e = q * 900
        let l = local(e)
        guard (l - e) % 900 == 0 else { throw NotQuarterAligned() }
        return l
    }
}
