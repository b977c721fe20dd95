import CallVaultCore
import Foundation
import GRDB

/// A row of a read of the report aggregates, its cells by position.
public protocol ReportAggregateRow {
    func int(_ index: Int) throws -> Int
    func text(_ index: Int) throws -> String
    func optionalText(_ index: Int) throws -> String?
    /// The cell as stored (an outcome code, or the unknown text it was).
    func value(_ index: Int) throws -> IndexValue
}

/// One read transaction over an index's report aggregates and calls (one snapshot for all its
/// reads), on either backend: the Reports module writes its reads once, in SQL both SQLite and
/// PostgreSQL run (`coalesce`, `CAST(… AS BIGINT)`, booleans cast to integers, aliased
/// subqueries), asking ``dialect`` for the few expressions that differ.
///
/// ```swift
/// try store.readAggregates { reader in
///     try reader.forEachRow("SELECT q, calls FROM report_quarters WHERE q >= ?", [.integer(q)]) { row in total += try row.int(1) }
/// }
/// ```
public protocol ReportAggregateReader {
    var dialect: HoldMatch.Dialect { get }
    /// Each row of `sql` (`?` placeholders, `arguments` bound in order).
    func forEachRow(_ sql: String, _ arguments: [IndexValue], _ body: (any ReportAggregateRow) throws -> Void) throws
    /// Each ``CallerPacks`` row of quarters [from, to) (nil: unbounded), in quarter order: its
    /// quarter and its entries' bytes (valid during the call only).
    func forEachPack(from: Int?, to: Int?, _ body: (_ quarter: Int, _ entries: UnsafeRawBufferPointer) throws -> Void) throws
    /// How ``forEachPack(from:to:_:)``'s entries are written.
    var packLayout: CallerPacks.Layout { get }
    /// The first (`last` false) or last quarter with packed callers, nil when there is none.
    func packedQuarter(last: Bool) throws -> Int?
    /// The rows of `sql` as columns: its first `ints` columns integers, the next `texts` text
    /// (none NULL). For reads of many short rows: PostgreSQL sends them as one row of arrays.
    func columns(_ sql: String, _ arguments: [IndexValue], ints: Int, texts: Int) throws -> ReportColumns
}

/// A read's rows as columns (``ReportAggregateReader/columns(_:_:ints:texts:)``).
public struct ReportColumns: Sendable, Equatable {
    public var ints: [[Int]]
    public var texts: [[String]]
    /// The rows read.
    public var count: Int { ints.first?.count ?? texts.first?.count ?? 0 }

    public init(ints: [[Int]], texts: [[String]]) {
        self.ints = ints
        self.texts = texts
    }
}

extension ReportAggregateReader {
    /// Row by row (SQLite's: its rows cost nothing to step through).
    public func columns(_ sql: String, _ arguments: [IndexValue], ints: Int, texts: Int) throws -> ReportColumns {
        var out = ReportColumns(ints: Array(repeating: [], count: ints), texts: Array(repeating: [], count: texts))
        try forEachRow(sql, arguments) { row in
            for i in 0..<ints { out.ints[i].append(try row.int(i)) }
            for i in 0..<texts { out.texts[i].append(try row.text(ints + i)) }
        }
        return out
    }
}

/// An index whose report aggregates can be read, from any thread, a read transaction per call
/// of ``readAggregates(_:)``: SQLite's ``CallIndex``, or another backend's.
public protocol ReportAggregateStore: Sendable {
    func readAggregates<T>(_ body: (any ReportAggregateReader) throws -> T) throws -> T
    /// Which of the aggregates this index keeps (an index opened read-only before migrating, or
    /// keys too large for ``CallerPacks``, has not all of them).
    func aggregateAvailability() throws -> ReportAggregateAvailability
}

/// The aggregates an index keeps; a report reads them only when it has what it needs.
public struct ReportAggregateAvailability: Sendable, Equatable {
    /// Quarters, campaign quarters and first calls (``ReportAggregates``).
    public var quarters: Bool
    /// Key tables and per-day tables (``DimensionAggregates``).
    public var dimensions: Bool
    /// Calls per quarter and area code (``AreaAggregates``).
    public var areas: Bool
    /// Callers per quarter (``CallerPacks``), every key small enough for an entry.
    public var callerPacks: Bool

    public init(quarters: Bool, dimensions: Bool, areas: Bool, callerPacks: Bool) {
        self.quarters = quarters
        self.dimensions = dimensions
        self.areas = areas
        self.callerPacks = callerPacks
    }
}

extension ReportScanSource {
    /// No report aggregates unless the source says so.
    public var aggregateStore: (any ReportAggregateStore)? { nil }
}

extension Outcome {
    /// ``codeSQL(_:)`` for `dialect`: PostgreSQL's CASE cannot mix an integer and the text, so an
    /// unknown value is -1 there.
    public static func codeSQL(_ column: String, _ dialect: HoldMatch.Dialect) -> String {
        switch dialect {
        case .sqlite: codeSQL(column)
        case .postgres: "CASE \(column) " + allCases.enumerated().map { "WHEN \($1.sqlLiteral) THEN \($0)" }.joined(separator: " ") + " ELSE -1 END"
        }
    }

    /// The outcome selected as ``codeSQL(_:_:)`` in cell `index` of `row`; an unknown value is an
    /// error naming `context`.
    public static func decode(code row: any ReportAggregateRow, at index: Int, in context: @autoclosure () -> String) throws -> Outcome {
        switch try row.value(index) {
        case .integer(let code) where code >= 0 && code < allCases.count: return allCases[Int(code)]
        case .text(let text): return try stored(text, in: context())
        case .integer(let code): return try stored("code \(code)", in: context())
        case let other: return try stored("\(other)", in: context())
        }
    }
}

extension HoldMatch.Dialect {
    /// floor(epoch / 900) of a `started_at` column (`YYYY-MM-DDTHH:MM:SSZ` text), as an integer.
    public func quarter(_ column: String) -> String {
        switch self {
        case .sqlite: ReportAggregates.quarter(column)
        case .postgres: "CAST(floor(extract(epoch FROM CAST(\(column) AS timestamptz)) / 900) AS BIGINT)"
        }
    }

    /// `INDEXED BY index` where SQLite must be told (PostgreSQL's planner picks its own).
    public func indexedBy(_ index: String) -> String {
        switch self {
        case .sqlite: "INDEXED BY \(index)"
        case .postgres: ""
        }
    }
}

extension Row: ReportAggregateRow {
    public func int(_ index: Int) throws -> Int { self[index] }
    public func text(_ index: Int) throws -> String { self[index] }
    public func optionalText(_ index: Int) throws -> String? { self[index] }
    public func value(_ index: Int) throws -> IndexValue { IndexValue(self[index] as DatabaseValue) }
}

/// The report aggregates of a SQLite index, read in `db`'s transaction.
public struct SQLiteAggregateReader: ReportAggregateReader {
    public let db: Database
    public var dialect: HoldMatch.Dialect { .sqlite }
    public var packLayout: CallerPacks.Layout { .characters }

    public init(_ db: Database) { self.db = db }

    public func forEachRow(_ sql: String, _ arguments: [IndexValue], _ body: (any ReportAggregateRow) throws -> Void) throws {
        // Through a cursor: each row read in place, no copy.
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        while let row = try cursor.next() { try body(row) }
    }

    public func forEachPack(from: Int?, to: Int?, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        var c: [String] = [], a: StatementArguments = []
        if let from { c.append("k >= ?"); a += [from * CallerPacks.rowsPerQuarter] }
        if let to { c.append("k < ?"); a += [to * CallerPacks.rowsPerQuarter] }
        let sql = "SELECT k, entries FROM \(CallerPacks.table)" + (c.isEmpty ? "" : " WHERE " + c.joined(separator: " AND ")) + " ORDER BY k"
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: a)
        while let row = try cursor.next() {
            let k: Int = row[0]
            try row.withUnsafeData(atIndex: 1) { data in
                try (data ?? Data()).withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in try body(k >> 20, bytes) }
            }
        }
    }

    public func packedQuarter(last: Bool) throws -> Int? {
        // Each end a seek of its own: SQLite answers min() or max() alone from the key, but
        // scans the whole table for both in one SELECT.
        try Int.fetchOne(db, sql: "SELECT \(last ? "max" : "min")(k) FROM \(CallerPacks.table)").map { $0 >> 20 }
    }
}

extension CallIndex: ReportAggregateStore {
    public func readAggregates<T>(_ body: (any ReportAggregateReader) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteAggregateReader(db)) }
    }

    public func aggregateAvailability() throws -> ReportAggregateAvailability {
        // The sums are read with their dead air (v18): an index opened read-only before that migration scans.
        let deadAir = try pool.read { db in try DeadAirCounts.available(db) }
        return ReportAggregateAvailability(quarters: try deadAir && ReportAggregates.available(self),
                                    dimensions: try deadAir && DimensionAggregates.available(self),
                                    areas: try AreaAggregates.available(self),
                                    callerPacks: try pool.read { db in try CallerPacks.usable(db) })
    }
}
