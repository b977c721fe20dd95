import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// What `callvault report` reads of a PostgreSQL index (Store's ``ReportScanSource``):
/// synchronous as the reports are, each read waiting through ``PostgresBlocking`` (so a report
/// runs on a thread of its own; the CLI starts one). There are no report aggregates on
/// PostgreSQL: every report scans the calls, and CallVaultReports adds them up with the same Swift
/// as its SQLite scan, so the numbers are the same on both backends.
///
/// The call filter is ``CallQuery/conditions()``'s, as `query` uses on PostgreSQL; every value is
/// bound. Attribution fields are read from the `attribution` JSON text (`->>`, as SQLite's
/// `json_extract` reads a text field).
public struct PostgresReportSource: ReportScanSource {
    public let index: PostgresIndex
    /// Calls read per round trip of ``forEachCall(_:attributionField:keywords:_:)``: memory stays
    /// bounded by a page, not by the index.
    public var pageSize = 10_000

    public init(index: PostgresIndex) { self.index = index }

    public func forEachCall(_ query: CallQuery, attributionField: String?, keywords: [String],
                            _ body: (ReportCallRow) throws -> Void) throws {
        var after: String?
        while true {
            let (sql, binds) = try Self.callsPage(query, attributionField: attributionField, keywords: keywords, after: after, limit: pageSize)
            let page = try PostgresBlocking.wait { [index] in
                try await index.query("reading calls for a report", PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.callRow)
            }
            for row in page { try body(row) }
            guard page.count == pageSize, let last = page.last else { return }
            after = last.id
        }
    }

    /// One page of the matching calls, by id after `after` (keyset paging on the primary key: each
    /// page starts where the last ended, so the whole scan reads each call once).
    static func callsPage(_ query: CallQuery, attributionField: String?, keywords: [String], after: String?,
                          limit: Int) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        var dimension = "NULL::text"
        if let attributionField {
            // Bound before the WHERE's values: it comes first in the statement.
            dimension = "(attribution::jsonb ->> ?::text)"
            values.insert(.text(attributionField), at: 0)
        }
        var extra: [String] = []
        if !keywords.isEmpty {
            extra.append("(attribution::jsonb ->> 'keyword') IN (\(Array(repeating: "?", count: keywords.count).joined(separator: ", ")))")
            values += keywords.map(IndexValue.text)
        }
        if let after {
            extra.append("id > ?")
            values.append(.text(after))
        }
        if !extra.isEmpty { clause += (clause.isEmpty ? "WHERE " : " AND ") + extra.joined(separator: " AND ") }
        values.append(.integer(Int64(limit)))
        let sql = "SELECT \(callColumns), \(dimension) FROM calls \(clause) ORDER BY id LIMIT ?"
        return try PostgresCallReader.numbered(sql, values)
    }

    static let callColumns = """
        id, started_at, outcome, caller, talk_ms, duration_ms, campaign, source, tracking_number, \
        caller_area_code, caller_region, caller_place, caller_country, medium
        """

    static func callRow(_ row: PostgresRow) throws -> ReportCallRow {
        let c = Array(row)
        let id = try c[0].decode(String.self)
        return ReportCallRow(id: id, startedAt: try c[1].decode(String.self), outcome: try Outcome.stored(try c[2].decode(String.self), call: id),
                             caller: try c[3].decode(String?.self), talkMs: try c[4].decode(Int.self), durationMs: try c[5].decode(Int.self),
                             campaign: try c[6].decode(String?.self), source: try c[7].decode(String?.self),
                             trackingNumber: try c[8].decode(String.self), areaCode: try c[9].decode(String?.self),
                             region: try c[10].decode(String?.self), place: try c[11].decode(String?.self),
                             country: try c[12].decode(String?.self), medium: try c[13].decode(String?.self),
                             dimension: try c[14].decode(String?.self))
    }

    public func firstCallIDs() throws -> [String: String] {
        let pairs = try PostgresBlocking.wait { [index] in
            // The SQLite rule (`SummaryReport.firstCalls`): by started_at, then id, text compared byte by byte (pg-v2).
            try await index.query("reading each caller's first call", """
                SELECT DISTINCT ON (caller) caller, id FROM calls WHERE caller IS NOT NULL ORDER BY caller, started_at, id
                """).map { try $0.decode((String, String).self) }.map { Pair(a: $0.0, b: $0.1) }
        }
        var map: [String: String] = [:]
        map.reserveCapacity(pairs.count)
        for p in pairs { map[p.a] = p.b }
        return map
    }

    public func missedCalls(_ query: CallQuery, unreturnedOnly: Bool, limit: Int) throws -> MissedCalls {
        let (sql, binds) = try Self.missedSQL(query, unreturnedOnly: unreturnedOnly, limit: limit)
        let calls = try PostgresBlocking.wait { [index] in
            try await index.query("reading missed calls", PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                let (startedAt, id, caller, campaign, number, outcome, duration, answeredAt) =
                    try row.decode((String, String, String?, String?, String, String, Int, String?).self)
                return MissedCalls.Call(startedAt: startedAt, id: id, caller: caller, campaign: campaign, trackingNumber: number,
                                        outcome: outcome, durationMs: duration, answeredAt: answeredAt)
            }
        }
        guard limit > 0, calls.count > limit else { return MissedCalls(calls: calls, more: false, total: nil) }
        var total: Int?
        if !unreturnedOnly {
            let (countSQL, countBinds) = try Self.missedCountSQL(query)
            total = try PostgresBlocking.wait { [index] in
                Int(try await index.query("counting missed calls", PostgresQuery(unsafeSQL: countSQL, binds: countBinds)).first?.decode(Int64.self) ?? 0)
            }
        }
        return MissedCalls(calls: Array(calls.prefix(limit)), more: true, total: total)
    }

    /// The missed and abandoned calls with the caller's next answered call (`answered_at`), by
    /// start then id; `limit + 1` rows when limited, so the last says whether more follow.
    static func missedSQL(_ query: CallQuery, unreturnedOnly: Bool, limit: Int) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "c.outcome IN (?, ?)"
        values += [.text(Outcome.missed.rawValue), .text(Outcome.abandoned.rawValue)]
        // Unqualified columns of the filter are the outer `c`'s: the only table of its FROM.
        var sql = """
            SELECT started_at, id, caller, campaign, tracking_number, outcome, duration_ms, answered_at FROM (
                SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms,
                       (SELECT min(a.started_at) FROM calls a WHERE a.caller = c.caller AND a.outcome = ? AND a.started_at > c.started_at) AS answered_at
                FROM calls c \(clause)) m
            """
        values.insert(.text(Outcome.answered.rawValue), at: 0)
        if unreturnedOnly { sql += " WHERE caller IS NOT NULL AND answered_at IS NULL" }
        sql += " ORDER BY started_at, id"
        if limit > 0 {
            sql += " LIMIT ?"
            values.append(.integer(Int64(limit) + 1))
        }
        return try PostgresCallReader.numbered(sql, values)
    }

    static func missedCountSQL(_ query: CallQuery) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "outcome IN (?, ?)"
        values += [.text(Outcome.missed.rawValue), .text(Outcome.abandoned.rawValue)]
        return try PostgresCallReader.numbered("SELECT count(*) FROM calls \(clause)", values)
    }

    public func deadAirCalls(_ query: CallQuery, thresholdMs: Int) throws -> [DeadAirCall] {
        let (sql, binds) = try Self.deadAirSQL(query, thresholdMs: thresholdMs)
        return try PostgresBlocking.wait { [index] in
            try await index.query("reading calls with dead air", PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                let (startedAt, id, campaign, caller, duration, inner, at) = try row.decode((String, String, String?, String?, Int, Int, Int).self)
                return DeadAirCall(startedAt: startedAt, id: id, campaign: campaign, caller: caller, durationMs: duration, innerMs: inner, atMs: at)
            }
        }
    }

    /// Each answered call's longest inner silence from its `silences` JSON (`[{start_ms, end_ms}]`):
    /// silences starting after 0 and ending before the call's end, the longest, the first of
    /// equal ones; calls without an inner silence are left out.
    static func deadAirSQL(_ query: CallQuery, thresholdMs: Int) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "outcome = ? AND longest_silence_ms > ?"
        values += [.text(Outcome.answered.rawValue), .integer(Int64(thresholdMs))]
        let sql = """
            SELECT started_at, id, campaign, caller, duration_ms, s.inner_ms, s.at_ms
            FROM calls CROSS JOIN LATERAL (
                SELECT (j.value ->> 'end_ms')::bigint - (j.value ->> 'start_ms')::bigint AS inner_ms, (j.value ->> 'start_ms')::bigint AS at_ms
                FROM jsonb_array_elements(calls.silences::jsonb) WITH ORDINALITY AS j (value, n)
                WHERE (j.value ->> 'start_ms')::bigint > 0 AND (j.value ->> 'end_ms')::bigint < calls.duration_ms
                ORDER BY 1 DESC, j.n LIMIT 1) AS s
            \(clause) ORDER BY started_at, id
            """
        return try PostgresCallReader.numbered(sql, values)
    }

    public func callbackLinks() throws -> [String: CallbackLink] {
        let links = try PostgresBlocking.wait { [index] in
            try await index.query("reading call-backs", """
                SELECT attribution::jsonb ->> 'request_id', min(started_at), bool_or(outcome = \(Outcome.answered.rawValue))
                FROM calls WHERE direction = 'outbound' AND attribution::jsonb ->> 'method' = 'callback'
                GROUP BY 1
                """).compactMap { row -> Link? in
                let (id, first, answered) = try row.decode((String?, String, Bool).self)
                return id.map { Link(id: $0, link: CallbackLink(firstStartedAt: first, answered: answered)) }
            }
        }
        return Dictionary(links.map { ($0.id, $0.link) }, uniquingKeysWith: { a, _ in a })
    }

    public func callbackRequests(since: Date?, until: Date?, campaigns: [String]) throws -> [(id: String, requestedAt: String)] {
        let sinceText = since.map(Timestamp.format), untilText = until.map(Timestamp.format)
        let rows = try PostgresBlocking.wait { [index] in
            guard try await tableExists("callback_requests") else { return [Pair]() }
            return try await index.query("reading call-back requests", """
                SELECT request_id, requested_at FROM callback_requests
                WHERE (\(sinceText)::text IS NULL OR requested_at >= \(sinceText))
                  AND (\(untilText)::text IS NULL OR requested_at < \(untilText))
                  AND (cardinality(\(campaigns)::text[]) = 0 OR utm_campaign = ANY(\(campaigns)))
                """).map { try $0.decode((String, String).self) }.map { Pair(a: $0.0, b: $0.1) }
        }
        return rows.map { ($0.a, $0.b) }
    }

    public func directoryEntries(for numbers: [String]) throws -> [String: CallerDirectoryEntry] {
        guard !numbers.isEmpty else { return [:] }
        let entries = try PostgresBlocking.wait { [index] in
            guard try await tableExists("caller_directory") else { return [CallerDirectoryEntry]() }
            return try await index.query("reading the caller directory", """
                SELECT number, name, company, address, city, region, postal_code, country, customer_id, email
                FROM caller_directory WHERE number = ANY(\(numbers))
                """).map { row in
                let c = Array(row)
                return CallerDirectoryEntry(number: try c[0].decode(String.self), name: try c[1].decode(String?.self),
                                            company: try c[2].decode(String?.self), address: try c[3].decode(String?.self),
                                            city: try c[4].decode(String?.self), region: try c[5].decode(String?.self),
                                            postalCode: try c[6].decode(String?.self), country: try c[7].decode(String?.self),
                                            customerID: try c[8].decode(String?.self), email: try c[9].decode(String?.self))
            }
        }
        return Dictionary(entries.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether the index has `table`: the caller directory and the call-back requests come to
    /// PostgreSQL with the commands that import them; before, a report reads none.
    private func tableExists(_ table: String) async throws -> Bool {
        try await index.query("looking for \(table)", """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = \(table))
            """).first?.decode(Bool.self) ?? false
    }

    /// Two texts as one Sendable value (a tuple is not one).
    private struct Pair: Sendable {
        var a: String
        var b: String
    }

    private struct Link: Sendable {
        var id: String
        var link: CallbackLink
    }
}
