import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// `report callbacks`: web call-back requests and how they were answered, per day of the request
/// (in `--tz`) and in total.
///
/// A request is called back when an outbound call is linked to it (``CallAttributor``: by id, or by
/// number within `callback_window_minutes`); the time to call-back is from `requested_at` to the
/// first such call's start; `answered` counts requests with an answered call-back. Median and p90
/// are nearest-rank (the value at rank ⌈p·n⌉ of the sorted times), so each is a time that occurred.
/// `--since/--until` select requests by `requested_at`; `--campaign` by the request's `utm_campaign`.
public enum CallbacksReport {
    public static let columns = ["day", "requests", "called_back", "callback_rate", "median_to_callback_s", "p90_to_callback_s", "answered"]

    struct Tally {
        var requests = 0, answered = 0
        var delays: [Int] = []

        func row(_ label: String) -> [ReportTable.Value] {
            let sorted = delays.sorted()
            return [.text(label), .int(requests), .int(delays.count), .rate(delays.count, requests),
                    CallbacksReport.percentile(sorted, 0.5).map { .int($0) } ?? .null,
                    CallbacksReport.percentile(sorted, 0.9).map { .int($0) } ?? .null, .int(answered)]
        }
    }

    /// Nearest rank: the ⌈p·n⌉-th smallest value, nil for no values.
    public static func percentile(_ sorted: [Int], _ p: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    public static func run(_ index: CallIndex, filter: ReportFilter) throws -> ReportTable {
        try run(.sqlite(index), filter: filter)
    }

    /// The requests and their call-backs from SQLite's tables, or another backend's
    /// (``ReportScanSource/callbackLinks()``, ``ReportScanSource/callbackRequests(since:until:campaigns:)``).
    public static func run(_ index: ReportIndex, filter: ReportFilter) throws -> ReportTable {
        switch index {
        case .sqlite(let sqlite):
            return try sqlite.pool.read { db in try table(linked: try links(db), requests: try requests(db, filter), filter: filter) }
        case .scanned(let source):
            let requests = try source.callbackRequests(since: filter.since, until: filter.until, campaigns: filter.campaigns)
            return table(linked: try source.callbackLinks(), requests: requests, filter: filter)
        }
    }

    /// Each request's call-backs: the first start and whether any was answered.
    static func links(_ db: Database) throws -> [String: CallbackLink] {
        var linked: [String: CallbackLink] = [:]
        let calls = try Row.fetchCursor(db, sql: """
            SELECT json_extract(attribution, '$.request_id'), min(started_at), max(outcome = \(Outcome.answered.sqlLiteral))
            FROM calls WHERE direction = 'outbound' AND json_extract(attribution, '$.method') = 'callback'
            GROUP BY 1
            """)
        while let row = try calls.next() {
            guard let id: String = row[0] else { continue }
            linked[id] = CallbackLink(firstStartedAt: row[1], answered: (row[2] as Int?) == 1)
        }
        return linked
    }

    /// The requests `filter` selects, as (request id, requested_at).
    static func requests(_ db: Database, _ filter: ReportFilter) throws -> [(id: String, requestedAt: String)] {
        var conditions: [String] = [], arguments: StatementArguments = []
        if let since = filter.since { conditions.append("requested_at >= ?"); arguments += [Timestamp.format(since)] }
        if let until = filter.until { conditions.append("requested_at < ?"); arguments += [Timestamp.format(until)] }
        if !filter.campaigns.isEmpty {
            conditions.append("utm_campaign IN (\(filter.campaigns.map { _ in "?" }.joined(separator: ", ")))")
            arguments += StatementArguments(filter.campaigns)
        }
        return try Row.fetchAll(db, sql: """
            SELECT request_id, requested_at FROM callback_requests \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            """, arguments: arguments).map { row -> (id: String, requestedAt: String) in (row[0], row[1]) }
    }

    /// The table of `requests`, per day of the request in the report's zone, with their call-backs.
    static func table(linked: [String: CallbackLink], requests: [(id: String, requestedAt: String)], filter: ReportFilter) -> ReportTable {
        var clock = Clock(zone: filter.timeZone)
        var days: [String: Tally] = [:]
        var total = Tally()
        for (id, at) in requests {
            let epoch = Clock.epoch(at)
            let day = Clock.day(clock.local(epoch))
            days[day, default: Tally()].requests += 1
            total.requests += 1
            guard let call = linked[id] else { continue }
            let delay = Clock.epoch(call.firstStartedAt) - epoch
            days[day, default: Tally()].delays.append(delay)
            total.delays.append(delay)
            if call.answered {
                days[day, default: Tally()].answered += 1
                total.answered += 1
            }
        }
        let keys = days.keys.sorted()
        var table = ReportTable(title: "Web call-backs", columns: columns,
                                rows: keys.compactMap { key in days[key].map { $0.row(key) } } + (keys.isEmpty ? [] : [total.row("TOTAL")]), notes: filter.notes)
        table.notes.append("day of the request in the report's time zone; called_back: an outbound call is linked to the request (by callback_request_id, or by number within callback_window_minutes); times from the request to the first call-back, nearest-rank median and p90; answered: requests with an answered call-back")
        return table
    }
}
