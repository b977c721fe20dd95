import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// What `callvault report` reads of a PostgreSQL index (Store's ``ReportScanSource``):
/// synchronous as the reports are, each read waiting through ``PostgresBlocking`` (so a report
/// runs on a thread of its own; the CLI starts one). The report aggregates are read through
/// ``aggregateStore`` (``PostgresAggregateStore``); what is read here is the scan (`--exact-scan`,
/// and what the aggregates do not keep), added up by CallVaultReports with the same Swift as its
/// SQLite scan, so the numbers are the same on both backends.
///
/// The call filter is ``CallQuery/conditions()``'s, as `query` uses on PostgreSQL; every value is
/// bound. Attribution fields are read from the `attribution` JSON text (`->>`, as SQLite's
/// `json_extract` reads a text field).
public struct PostgresReportSource: ReportScanSource {
    public let index: PostgresIndex
    /// Calls handed to the report at a time by ``forEachCall(_:attributionField:keywords:_:)``:
    /// memory stays bounded by a page and postgres-nio's read-ahead, not by the index.
    public var pageSize = 20_000

    public init(index: PostgresIndex) { self.index = index }

    /// The index's report aggregates (``PostgresAggregateStore``): the reports read them as they
    /// read SQLite's, and scan only with `--exact-scan` or for what the aggregates do not keep.
    public var aggregateStore: (any ReportAggregateStore)? { PostgresAggregateStore(index: index) }

    /// One statement in one read-only transaction, its rows streamed a page at a time
    /// (``RowStream``: postgres-nio reads ahead while the report adds up the page before): the
    /// server plans and runs the scan once, unsorted. Keyset pages in id order made it sort, or
    /// walk the primary key across the whole index, once per page; a cursor's `FETCH` made it copy
    /// each page into a temporary store first.
    public func forEachCall(_ query: CallQuery, attributionField: String?, keywords: [String],
                            _ body: (ReportCallRow) throws -> Void) throws {
        let (sql, binds) = try Self.scanSQL(query, attributionField: attributionField, keywords: keywords)
        let step = "reading calls for a report"
        try PostgresTransaction.within(index, step: step) { transaction in
            let connection = transaction.connection, logger = transaction.logger
            try PostgresBlocking.wait {
                do {
                    try await PostgresIndex.startReportRead(connection, logger: logger)
                } catch { throw PostgresIndexError.wrap(error, step: step) }
            }
            let stream = RowStream(step: step)
            try stream.start(PostgresQuery(unsafeSQL: sql, binds: binds), on: connection, logger: logger)
            let size = max(pageSize, 1)
            while true {
                let page = try stream.next(size).map(Self.callRow)
                for row in page { try body(row) }
                if page.count < size { return }
            }
        }
    }

    /// The matching calls' columns a report reads, in no order. The call filter's columns are
    /// unqualified (``CallQuery/conditions()``); the attribution field and the keywords are bound.
    static func scanSQL(_ query: CallQuery, attributionField: String?, keywords: [String]) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        var dimension = "NULL::text"
        if let attributionField {
            // Bound before the WHERE's values: it comes first in the statement.
            dimension = "(attribution::jsonb ->> ?::text)"
            values.insert(.text(attributionField), at: 0)
        }
        if !keywords.isEmpty {
            clause += (clause.isEmpty ? "WHERE " : " AND ")
                + "(attribution::jsonb ->> 'keyword') IN (\(Array(repeating: "?", count: keywords.count).joined(separator: ", ")))"
            values += keywords.map(IndexValue.text)
        }
        return try PostgresCallReader.numbered("SELECT \(callColumns), \(dimension), \(HoldMatch.Dialect.postgres.deadAir("calls.")) FROM calls \(clause)", values)
    }

    static let callColumns = """
        id, started_at, outcome, caller, talk_ms, duration_ms, campaign, source, tracking_number, \
        caller_area_code, caller_region, caller_place, caller_country, medium
        """

    /// A row of ``scanSQL(_:attributionField:keywords:)``, its cells decoded in order from the
    /// row's iterator: no array of cells per row, and no generic tuple decode (postgres-nio's
    /// parameter-pack `decode` looked up its generic metadata for every row: 7% of a year's report).
    static func callRow(_ row: PostgresRow) throws -> ReportCallRow {
        var cells = row.makeIterator()
        func next<T: PostgresDecodable>(_: T.Type) throws -> T {
            guard let cell = cells.next() else {
                throw PostgresIndexError(.statement, "PostgreSQL index: reading calls for a report: a row has too few columns")
            }
            return try cell.decode(T.self)
        }
        let id = try next(String.self)
        return ReportCallRow(id: id, startedAt: try next(String.self), outcome: try Outcome.stored(try next(String.self), call: id),
                             caller: try next(String?.self), talkMs: try next(Int.self), durationMs: try next(Int.self),
                             campaign: try next(String?.self), source: try next(String?.self), trackingNumber: try next(String.self),
                             areaCode: try next(String?.self), region: try next(String?.self), place: try next(String?.self),
                             country: try next(String?.self), medium: try next(String?.self), dimension: try next(String?.self),
                             deadAir: try next(Int.self) != 0)
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

    /// The first call of each caller whose first call `query` can find, and no other: the
    /// callers of the matching calls, each with its earliest matching call; a caller with an
    /// earlier call anywhere in the index is left out (none of its matching calls is its first);
    /// for the rest, the smallest id of that second. Index seeks in `calls_caller` (caller,
    /// started_at) instead of every caller's first call from the whole index: a month of a
    /// 1,000,000-call index reads its own callers, most of them seen before. The calls a report
    /// compares are the matching ones, so its numbers are the same.
    public func firstCallIDs(among query: CallQuery) throws -> [String: String] {
        let (sql, binds) = try Self.firstCallsSQL(query)
        let pairs = try PostgresBlocking.wait { [index] in
            try await index.query("reading the first call of each caller", PostgresQuery(unsafeSQL: sql, binds: binds))
                .map { try $0.decode((String, String).self) }.map { Pair(a: $0.0, b: $0.1) }
        }
        var map: [String: String] = [:]
        map.reserveCapacity(pairs.count)
        for p in pairs { map[p.a] = p.b }
        return map
    }

    /// The callers whose first call in the whole index (the earliest `started_at`, then the
    /// smallest id; text compared byte by byte, pg-v2, as ``firstCallIDs()``) is in the second of
    /// their earliest call `query` matches, with that first call's id.
    static func firstCallsSQL(_ query: CallQuery) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "caller IS NOT NULL"
        // The filter's unqualified columns are the inner `calls`' (the only table of its FROM).
        return try PostgresCallReader.numbered("""
            SELECT x.who, (SELECT min(p.id) FROM calls p WHERE p.caller = x.who AND p.started_at = x.earliest)
            FROM (SELECT caller AS who, min(started_at) AS earliest FROM calls \(clause) GROUP BY caller) x
            WHERE NOT EXISTS (SELECT 1 FROM calls q WHERE q.caller = x.who AND q.started_at < x.earliest)
            """, values)
    }

    public func missedCalls(_ query: CallQuery, unreturnedOnly: Bool, limit: Int, exactScan: Bool) throws -> MissedCalls {
        // Either way `limit + 1` rows at most (`limit` > 0): the last says whether more follow.
        let calls: [MissedCalls.Call]
        if unreturnedOnly && !exactScan {
            let unreturned = PostgresUnreturnedCalls(query: query, limit: limit)
            calls = try PostgresBlocking.wait { [index] in
                try await index.reportRead("reading unreturned missed calls") { connection in
                    // One snapshot for the candidates and their rows.
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: index.logger)
                    return try await unreturned.calls(connection, logger: index.logger)
                }
            }
        } else {
            let (sql, binds) = try Self.missedSQL(query, unreturnedOnly: unreturnedOnly, limit: limit)
            calls = try PostgresBlocking.wait { [index] in
                try await index.reportRead("reading missed calls") { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: index.logger).collect().map { row in
                        let (startedAt, id, caller, campaign, number, outcome, duration, answeredAt) =
                            try row.decode((String, String, String?, String?, String, String, Int, String?).self)
                        return MissedCalls.Call(startedAt: startedAt, id: id, caller: caller, campaign: campaign, trackingNumber: number,
                                                outcome: outcome, durationMs: duration, answeredAt: answeredAt)
                    }
                }
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
    /// The next answered call is the first of the caller's later calls in `calls_caller`'s order
    /// that was answered (`ORDER BY … LIMIT 1`: the walk stops there), the same time as their
    /// `min(started_at)`, which the planner computed by reading every later call of the caller.
    static func missedSQL(_ query: CallQuery, unreturnedOnly: Bool, limit: Int) throws -> (String, PostgresBindings) {
        var (clause, values) = query.conditions()
        clause += (clause.isEmpty ? "WHERE " : " AND ") + "c.outcome IN (?, ?)"
        values += [.text(Outcome.missed.rawValue), .text(Outcome.abandoned.rawValue)]
        // Unqualified columns of the filter are the outer `c`'s: the only table of its FROM.
        var sql = """
            SELECT started_at, id, caller, campaign, tracking_number, outcome, duration_ms, answered_at FROM (
                SELECT c.started_at, c.id, c.caller, c.campaign, c.tracking_number, c.outcome, c.duration_ms,
                       (SELECT a.started_at FROM calls a WHERE a.caller = c.caller AND a.outcome = ? AND a.started_at > c.started_at
                        ORDER BY a.started_at LIMIT 1) AS answered_at
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
            try await index.reportRead("reading calls with dead air") { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: index.logger).collect().map { row in
                    let (startedAt, id, campaign, caller, duration, inner, at) = try row.decode((String, String, String?, String?, Int, Int, Int).self)
                    return DeadAirCall(startedAt: startedAt, id: id, campaign: campaign, caller: caller, durationMs: duration, innerMs: inner, atMs: at)
                }
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
