import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// Reads the per-quarter aggregates (see `ReportAggregates` in CallVaultStore) for a report filter.
///
/// Whole quarters inside `[since, until)` come from the aggregate tables; the partial quarters
/// at either end (a `--since` of 10:07) come from the calls themselves, through the started_at
/// index, so any bounds give the same numbers as a scan.
struct AggregateSource {
    struct Quarter { var q: Int; var outcome: Outcome; var calls, anonymous, talk, duration: Int }
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
    static func make(_ index: CallIndex, _ filter: ReportFilter, callers: Bool = false) throws -> AggregateSource? {
        guard !filter.exactScan, try ReportAggregates.available(index) else { return nil }
        if callers, try !index.pool.read({ db in try CallerPacks.usable(db) }) { return nil }
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

    private var campaignCondition: (String, StatementArguments)? {
        guard !filter.campaigns.isEmpty else { return nil }
        return ("campaign IN (\(Array(repeating: "?", count: filter.campaigns.count).joined(separator: ", ")))",
                StatementArguments(filter.campaigns))
    }

    /// `q >= ? AND q < ?` for the aggregate part, or nil when there is none.
    private var quarterCondition: (String, StatementArguments)? {
        if noAggregate { return nil }
        var c: [String] = [], a: StatementArguments = []
        if let qFrom { c.append("q >= ?"); a += [qFrom] }
        if let qTo { c.append("q < ?"); a += [qTo] }
        return (c.isEmpty ? "1" : c.joined(separator: " AND "), a)
    }

    /// The edges as one condition on `calls`, or nil when there are none.
    private var edgeCondition: (String, StatementArguments)? {
        guard !edges.isEmpty else { return nil }
        var a: StatementArguments = []
        for (from, to) in edges { a += [from, to] }
        return ("(" + edges.map { _ in "(started_at >= ? AND started_at < ?)" }.joined(separator: " OR ") + ")", a)
    }

    private static let quarterOfCall = "((CAST(strftime('%s', started_at) AS INTEGER) - ((CAST(strftime('%s', started_at) AS INTEGER) % 900 + 900) % 900)) / 900)"

    private static func campaign(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Calls per quarter and outcome (of `--campaign`'s campaigns when given).
    func quarters(_ db: Database) throws -> [Quarter] {
        let campaignTable = !filter.campaigns.isEmpty
        var parts: [String] = [], args: StatementArguments = []
        let sums = "q, o, sum(n) AS n, sum(anon) AS anon, sum(t) AS t, sum(d) AS d"
        if let (qc, qa) = quarterCondition {
            var sql = "SELECT q AS q, outcome AS o, calls AS n, anonymous AS anon, talk_ms AS t, duration_ms AS d FROM \(campaignTable ? "report_campaign_quarters" : "report_quarters") WHERE \(qc)"
            args += qa
            if let (cc, ca) = campaignCondition { sql += " AND \(cc)"; args += ca }
            // One row per quarter and outcome already, unless several campaigns' rows add up to one.
            parts.append(campaignTable ? "SELECT \(sums) FROM (\(sql)) GROUP BY q, o" : sql)
        }
        if let (ec, ea) = edgeCondition {
            var sql = "SELECT \(Self.quarterOfCall) AS q, outcome AS o, 1 AS n, caller IS NULL AS anon, talk_ms AS t, duration_ms AS d FROM calls WHERE \(ec)"
            args += ea
            if let (cc, ca) = campaignCondition { sql += " AND \(cc)"; args += ca }
            // The edges lie outside the table's quarters: only their own calls need grouping.
            parts.append("SELECT \(sums) FROM (\(sql)) GROUP BY q, o")
        }
        guard !parts.isEmpty else { return [] }
        let sql = "SELECT q, \(Outcome.codeSQL("o")), n, anon, t, d FROM (\(parts.joined(separator: "\nUNION ALL\n")))"
        // Through a cursor (no copy of each row): a year is about 100,000 rows at any volume.
        var quarters: [Quarter] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: args)
        while let r = try cursor.next() {
            quarters.append(Quarter(q: r[0], outcome: try r.outcome(codeAtIndex: 1, in: "report aggregates"), calls: r[2],
                                    anonymous: r[3], talk: r[4], duration: r[5]))
        }
        return quarters
    }

    private static let keysOfCall = DimensionAggregates.keysOfCall

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
    func packedQuarters(_ db: Database) throws -> Range<Int>? {
        if noAggregate { return nil }
        // Each end a seek of its own (only for an unbounded end): SQLite answers min() or max()
        // alone from the key, but scans the whole table for both in one SELECT.
        func end(_ aggregate: String) throws -> Int? {
            try Int.fetchOne(db, sql: "SELECT \(aggregate)(k) FROM \(CallerPacks.table)").map { $0 >> 20 }
        }
        guard let lo = try qFrom ?? end("min"), let hi = try qTo ?? end("max").map({ $0 + 1 }) else { return nil }
        return lo < hi ? lo..<hi : nil
    }

    /// Every call with a caller in `part` of the period, in quarter order, as (quarter, caller
    /// id, number key, area key, answered): the whole quarters from ``CallerPacks``, the partial
    /// ones at either end from the calls (their keys looked up). Campaigns are not filtered here:
    /// the caller keeps the number keys of `--campaign` (see ``ReportKeys``).
    /// `body` gets the entries a batch at a time (a quarter, or a partial period at one end).
    func callerEntries(_ db: Database, part: EntryPart, _ body: ([CallerPacks.Entry]) throws -> Void) throws {
        func edge(_ e: (String, String)) throws {
            let batch = try Row.fetchAll(db, sql: """
                SELECT \(Self.quarterOfCall), \(Self.keysOfCall.caller), \(Self.keysOfCall.number), \(Self.keysOfCall.area),
                       outcome = \(Outcome.answered.sqlLiteral)
                FROM calls WHERE started_at >= ? AND started_at < ? AND caller IS NOT NULL ORDER BY started_at
                """, arguments: [e.0, e.1]).map { r in CallerPacks.Entry(q: r[0], caller: r[1], number: r[2], area: r[3], answered: r[4]) }
            if !batch.isEmpty { try body(batch) }
        }
        if let leadingEdge, part.leading { try edge(leadingEdge) }
        if !noAggregate { try CallerPacks.forEach(db, from: part.from, to: part.to, body) }
        if let trailingEdge, part.trailing { try edge(trailingEdge) }
    }

    /// Calls per NANP area code and label (place, else region) in the period: from
    /// `report_area_quarters` and the edges, or with `--campaign` from those campaigns' calls
    /// (the table is not kept per campaign). Keys are the chart's `"212 New York"`.
    func areaCalls(_ db: Database) throws -> [String: Int] {
        let label = "ifnull(caller_place, ifnull(caller_region, ''))"
        var parts: [String] = [], args: StatementArguments = []
        if !filter.campaigns.isEmpty {
            let (clause, a) = filter.query.whereClause()
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
        let sql = "SELECT a, l, sum(n) FROM (\(parts.joined(separator: "\nUNION ALL\n"))) GROUP BY a, l"
        for r in try Row.fetchAll(db, sql: sql, arguments: args) {
            let area: String = r[0], label: String = r[1]
            areas["\(area) \(label)", default: 0] += r[2] as Int
        }
        return areas
    }

    /// The callers whose first call in the whole index is in the period (and campaigns): when
    /// and in which campaign (each caller once, so a count of them is a count of callers).
    func firstCalls(_ db: Database) throws -> [FirstCall] {
        var c: [String] = [], a: StatementArguments = []
        if let since = filter.since { c.append("started_at >= ?"); a += [Timestamp.format(since)] }
        if let until = filter.until { c.append("started_at < ?"); a += [Timestamp.format(until)] }
        if let (cc, ca) = campaignCondition { c.append(cc); a += ca }
        let sql = "SELECT started_at, campaign FROM report_first_calls" + (c.isEmpty ? "" : " WHERE " + c.joined(separator: " AND "))
        var calls: [FirstCall] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: a)
        while let r = try cursor.next() { calls.append(FirstCall(epoch: Clock.epoch(r[0]), campaign: Self.campaign(r[1]))) }
        return calls
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
