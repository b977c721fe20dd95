import CallVaultStore
import Foundation
import NIOCore
import PostgresNIO

/// The report aggregates of a PostgreSQL index (``PostgresReportTables``), read by the Reports
/// module as SQLite's are (Store's ``ReportAggregateStore``): each ``readAggregates(_:)`` one
/// read-only transaction at REPEATABLE READ, so all its reads see one snapshot, as SQLite's read
/// transaction does; synchronous, each statement waited for through ``PostgresBlocking`` (the
/// report runs on a thread of its own).
public struct PostgresAggregateStore: ReportAggregateStore {
    public let index: PostgresIndex
    /// Rows handed to the report at a time: memory stays bounded by a page and postgres-nio's
    /// read-ahead, not by the period (a year of caller packs at 10M calls is about 120 MB).
    public var pageSize = 1_000

    public init(index: PostgresIndex) { self.index = index }

    public func readAggregates<T>(_ body: (any ReportAggregateReader) throws -> T) throws -> T {
        try PostgresTransaction.within(index, step: "reading report aggregates") { transaction in
            let connection = transaction.connection, logger = transaction.logger
            try PostgresBlocking.wait {
                do {
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
                    try await PostgresIndex.startReportRead(connection, logger: logger)
                }
                catch { throw PostgresIndexError.wrap(error, step: "reading report aggregates") }
            }
            return try body(PostgresAggregateReader(connection: connection, logger: logger, pageSize: pageSize, streams: OpenStream()))
        }
    }

    public func aggregateAvailability() throws -> ReportAggregateAvailability {
        let row = try PostgresBlocking.wait { [index] in
            try await index.query("looking for the report aggregates", """
                SELECT to_regclass('report_caller_packs') IS NOT NULL
                """).first?.decode(Bool.self) ?? false
        }
        guard row else { return ReportAggregateAvailability(quarters: false, dimensions: false, areas: false, callerPacks: false) }
        let limits = CallerPacks.Layout.words.limits
        let usable = try PostgresBlocking.wait { [index] in
            try await index.query("checking the report keys", """
                SELECT (SELECT coalesce(max(id), 0) FROM report_caller_ids) <= \(Int64(limits.caller))
                   AND (SELECT coalesce(max(id), 0) FROM report_number_keys) <= \(Int64(limits.number))
                   AND (SELECT coalesce(max(id), 0) FROM report_area_keys) <= \(Int64(limits.area))
                """).first?.decode(Bool.self) ?? false
        }
        return ReportAggregateAvailability(quarters: true, dimensions: true, areas: true, callerPacks: usable)
    }
}

/// One read transaction's statements (``PostgresAggregateStore/readAggregates(_:)``).
struct PostgresAggregateReader: ReportAggregateReader {
    let connection: PostgresConnection
    let logger: Logger
    let pageSize: Int
    /// The statement whose rows are being read, if any (one connection reads one at a time).
    let streams: OpenStream
    var dialect: HoldMatch.Dialect { .postgres }
    var packLayout: CallerPacks.Layout { .words }

    func forEachRow(_ sql: String, _ arguments: [IndexValue], _ body: (any ReportAggregateRow) throws -> Void) throws {
        try pages(sql, arguments) { rows in
            for row in rows { try body(PostgresAggregateRow(cells: PostgresRandomAccessRow(row))) }
        }
    }

    func forEachPack(from: Int?, to: Int?, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        var c: [String] = [], a: [IndexValue] = []
        if let from { c.append("q >= ?"); a.append(.integer(Int64(from))) }
        if let to { c.append("q < ?"); a.append(.integer(Int64(to))) }
        let sql = "SELECT q, entries FROM report_caller_packs" + (c.isEmpty ? "" : " WHERE " + c.joined(separator: " AND ")) + " ORDER BY q"
        try pages(sql, a) { rows in
            for row in rows {
                var cells = row.makeIterator()
                guard let q = try cells.next()?.decode(Int.self), let entries = cells.next() else { continue }
                let buffer = entries.bytes ?? ByteBuffer()
                try buffer.withUnsafeReadableBytes { try body(q, $0) }
            }
        }
    }

    func packedQuarter(last: Bool) throws -> Int? {
        var q: Int?
        try forEachRow("SELECT \(last ? "max" : "min")(q) FROM report_caller_packs", []) { row in
            if case .integer(let v) = try row.value(0) { q = Int(v) }
        }
        return q
    }

    /// One row of arrays, a column each (`array_agg` over the rows in one pass, so every array
    /// has the rows in the same order): a cell per column instead of a cell per value, which is
    /// what a row costs postgres-nio (a year's quarter rows are 100,000).
    func columns(_ sql: String, _ arguments: [IndexValue], ints: Int, texts: Int) throws -> ReportColumns {
        let names = (0..<(ints + texts)).map { "c\($0)" }
        var out = ReportColumns(ints: Array(repeating: [], count: ints), texts: Array(repeating: [], count: texts))
        try pages("SELECT \(names.map { "array_agg(\($0))" }.joined(separator: ", ")) FROM (\(sql)) AS t(\(names.joined(separator: ", ")))",
                  arguments) { rows in
            for row in rows {
                let cells = PostgresRandomAccessRow(row)
                out.ints = try (0..<ints).map { try PostgresArrayCell.ints(cells[$0]) }
                out.texts = try (0..<texts).map { try PostgresArrayCell.texts(cells[ints + $0]) }
            }
        }
        return out
    }

    /// The rows of `sql` a page at a time, streamed: one statement whose rows postgres-nio reads
    /// ahead with backpressure while the report adds up the page before (a cursor's `FETCH`
    /// made the server copy each page into a temporary store first, on disk above `work_mem`,
    /// and wait for the next round trip). A read started while another is open (a page's body
    /// reading more) first takes the rest of the open one into memory: the connection sends one
    /// statement's rows at a time.
    private func pages(_ sql: String, _ arguments: [IndexValue], _ page: ([PostgresRow]) throws -> Void) throws {
        let (numbered, binds) = try PostgresCallReader.numbered(sql, arguments)
        try streams.current?.drain()
        let stream = RowStream()
        try stream.start(PostgresQuery(unsafeSQL: numbered, binds: binds), on: connection, logger: logger)
        let outer = streams.current
        streams.current = stream
        defer { streams.current = outer }
        let size = max(pageSize, 1)
        while true {
            let rows = try stream.next(size)
            if !rows.isEmpty { try page(rows) }
            if rows.count < size { break }
        }
    }
}

/// The statement a reader is streaming (``PostgresAggregateReader``).
final class OpenStream: @unchecked Sendable {
    var current: RowStream?
}

/// A row's cells by position, decoded by their PostgreSQL type.
struct PostgresAggregateRow: ReportAggregateRow {
    let cells: PostgresRandomAccessRow

    func int(_ index: Int) throws -> Int { try cells[index].decode(Int.self) }
    func text(_ index: Int) throws -> String { try cells[index].decode(String.self) }
    func optionalText(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }

    func value(_ index: Int) throws -> IndexValue {
        let cell = cells[index]
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(Int64(try cell.decode(Int.self)))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}
