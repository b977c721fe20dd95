import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// The filters every report takes: `--since/--until`, `--campaign` (repeatable) and `--tz`.
public struct ReportFilter: Sendable {
    public var since: Date?
    public var until: Date?
    public var campaigns: [String] = []
    public var timeZone = TimeZone(identifier: "UTC")!
    /// `--exact-scan`: stream every matching call instead of reading the per-quarter aggregates
    /// (the same numbers, slower; the reference the aggregates are tested against).
    public var exactScan = false

    public init() {}

    var query: CallQuery {
        var q = CallQuery()
        q.since = since
        q.until = until
        q.campaigns = campaigns
        return q
    }

    /// The period in words, in the report's time zone: `2026-11-01 00:00 – 2026-11-30 24:00 (America/New_York)`.
    public var periodDescription: String {
        var clock = Clock(zone: timeZone)
        func local(_ date: Date) -> String {
            let l = clock.local(Int(date.timeIntervalSince1970))
            return Clock.day(l) + " " + Clock.padded(Clock.hourOfDay(l), 2) + ":" + Clock.padded(((l % 3600) + 3600) % 3600 / 60, 2)
        }
        let zone = timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier
        switch (since, until) {
        case (nil, nil): return "all calls (times in \(zone))"
        case (let s?, nil): return "from \(local(s)) (\(zone))"
        case (nil, let u?): return "until \(local(u)) (\(zone))"
        case (let s?, let u?): return "\(local(s)) – \(local(u)) (\(zone))"
        }
    }

    public var notes: [String] {
        var n: [String] = []
        if let since { n.append("since \(Timestamp.format(since))") }
        if let until { n.append("until \(Timestamp.format(until)) (exclusive)") }
        if !campaigns.isEmpty { n.append("campaigns: \(campaigns.joined(separator: ", "))") }
        n.append("time zone: \(timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier)")
        return ["filters: " + n.joined(separator: "; ")]
    }
}

/// The columns reports read from a call, streamed with a cursor (memory does not grow with the index).
struct CallFacts {
    var id: String
    var epoch: Int
    var startedAt: String
    var outcome: Outcome
    var caller: String?
    var talkMs: Int
    var durationMs: Int
    var campaign: String?
    var source: String?
    var trackingNumber: String
    var areaCode: String?
    var region: String?
    var place: String?
    var country: String?
    var medium: String?
    /// The value of the `dimension` expression ``forEach(_:_:extraCondition:dimension:_:)`` was given (an attribution field).
    var dimension: String?
    /// Answered, with an inner silence over 10 s (Store's `DeadAirCounts`).
    var deadAir: Bool

    static let columns = "id, started_at, outcome, caller, talk_ms, duration_ms, campaign, source, tracking_number, caller_area_code, caller_region, caller_place, caller_country, medium, "
        + HoldMatch.Dialect.sqlite.deadAir("calls.")

    init(row: Row) throws {
        id = row[0]
        startedAt = row[1]
        epoch = Clock.epoch(startedAt)
        outcome = try row.outcome(column: "outcome", call: id)
        caller = row[3]
        talkMs = row[4]
        durationMs = row[5]
        campaign = row[6]
        source = row[7]
        trackingNumber = row[8]
        areaCode = row[9]
        region = row[10]
        place = row[11]
        country = row[12]
        medium = row[13]
        deadAir = row[14] as Int != 0
        dimension = row.count > 15 ? row[15] : nil
    }

    /// `dimension`: an SQL expression on `calls` read into ``dimension`` (e.g. an attribution field);
    /// `extraArguments` bind the `?` of `extraCondition`.
    static func forEach(_ index: CallIndex, _ filter: ReportFilter, extraCondition: String? = nil, extraArguments: StatementArguments = [],
                        dimension: String? = nil, _ body: (CallFacts) throws -> Void) throws {
        var (clause, arguments) = filter.query.whereClause()
        if let extraCondition {
            clause += clause.isEmpty ? "WHERE \(extraCondition)" : " AND \(extraCondition)"
            arguments += extraArguments
        }
        let columns = Self.columns + (dimension.map { ", " + $0 } ?? "")
        try index.pool.read { db in
            // No ORDER BY: a scan in table order is 5x faster than walking the started_at index;
            // reports aggregate and sort their own output. When the time range covers much of the
            // index, skip the index too (SQLite would otherwise fetch row by row through it).
            var source = "calls"
            if filter.since != nil || filter.until != nil {
                let matching = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls \(clause)", arguments: arguments) ?? 0
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0
                if matching * 5 > total { source = "calls NOT INDEXED" }
            }
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM \(source) \(clause)", arguments: arguments)
            while let row = try cursor.next() { try body(try CallFacts(row: row)) }
        }
    }
}

/// Fast UTC parsing of the index's `YYYY-MM-DDTHH:MM:SSZ`, and local buckets with cached offsets.
struct Clock {
    let zone: TimeZone
    private var offsets: [Int: Int] = [:]
    private var calendar: Calendar

    init(zone: TimeZone) {
        self.zone = zone
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        calendar = c
    }

    static func epoch(_ s: String) -> Int {
        // The string's own bytes when contiguous (native strings are): no copy per call, which a
        // report reading tens of thousands of first calls would otherwise make.
        if let e = s.utf8.withContiguousStorageIfAvailable({ epoch(bytes: $0) }) { return e }
        return Array(s.utf8).withUnsafeBufferPointer { epoch(bytes: $0) }
    }

    private static func epoch(bytes u: UnsafeBufferPointer<UInt8>) -> Int {
        guard u.count >= 19 else { return 0 }
        func n(_ a: Int, _ b: Int) -> Int { (a..<b).reduce(0) { $0 * 10 + Int(u[$1] &- 48) } }
        let days = Timestamp.days(fromCivil: n(0, 4), n(5, 7), n(8, 10))
        return days * 86400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
    }

    /// Seconds since the epoch in local wall time (cached per UTC hour).
    mutating func local(_ epoch: Int) -> Int {
        let hour = epoch / 3600
        if let o = offsets[hour] { return epoch + o }
        let o = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(epoch)))
        offsets[hour] = o
        return epoch + o
    }

    static func day(_ local: Int) -> String {
        let (y, m, d) = Timestamp.civil(fromDays: Int((Double(local) / 86400).rounded(.down)))
        return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2)
    }

    /// `n` with leading zeros to `width` digits (`String(format:)` cost a microsecond a label:
    /// a year by hour formats 8,760 of them in each part of the report).
    static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(abs(n))
        let zeros = digits.count < width ? String(repeating: "0", count: width - digits.count) : ""
        return (n < 0 ? "-" : "") + zeros + digits
    }

    /// Whether the local hour starting at `localHourStart` (local seconds) also occurs with another
    /// offset: the hour repeated when clocks go back.
    func isRepeated(localHourStart: Int, offset: Int) -> Bool {
        let utc = localHourStart - offset
        for probe in [utc - 3600, utc + 3600] {
            let other = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(probe)))
            guard other != offset else { continue }
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localHourStart - other))) == other { return true }
        }
        return false
    }

    /// `UTC-04:00`, `UTC+05:45`.
    static func offsetName(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        return "UTC" + (seconds < 0 ? "-" : "+") + padded(minutes / 60, 2) + ":" + padded(minutes % 60, 2)
    }

    static func hourOfDay(_ local: Int) -> Int { ((local % 86400) + 86400) % 86400 / 3600 }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ local: Int) -> Int {
        let days = Int((Double(local) / 86400).rounded(.down))
        return ((days + 3) % 7 + 7) % 7
    }

    /// The Monday that starts the week, as a date.
    static func weekStart(_ local: Int) -> String { day(local - weekday(local) * 86400) }

    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
}
