import CallVaultStore
import PostgresNIO

/// A `calls` row between ``CallRecord`` and PostgreSQL: the record's columns as SQLite's insert
/// writes them (``CallRecord/columnValues()``) bound one by one, and a row read back into the
/// same decoding (``CallRecord/init(columns:)``), so a call reads the same on both backends.
enum PostgresCallColumns {
    /// Columns whose PostgreSQL type is BOOLEAN (SQLite keeps 0 or 1).
    static let booleans: Set<String> = ["caller_valid"]

    /// `INSERT INTO calls (…) VALUES ($1, …)` for `record`, every value bound. Column names come
    /// from the record's coding keys, checked to be plain identifiers.
    static func insert(_ record: CallRecord) throws -> PostgresQuery {
        var binds = PostgresBindings()
        var names: [String] = []
        for (column, value) in try record.columnValues() {
            guard column.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw PostgresIndexError(.statement, "PostgreSQL index: call \(record.id): column name \(column.debugDescription) is not an identifier")
            }
            names.append(column)
            switch value {
            case .null: binds.appendNull()
            case .integer(let v) where booleans.contains(column): binds.append(v != 0)
            case .integer(let v): binds.append(v)
            case .real(let v): binds.append(v)
            case .text(let v): binds.append(v)
            case .blob:
                throw PostgresIndexError(.statement, "PostgreSQL index: call \(record.id): column \(column) holds bytes, which calls never store")
            }
        }
        let placeholders = (1...names.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO calls (\(names.joined(separator: ", "))) VALUES (\(placeholders))", binds: binds)
    }

    /// The record in `row` (a `SELECT * FROM calls`).
    static func record(_ row: PostgresRow) throws -> CallRecord {
        var columns: [String: IndexValue] = [:]
        for cell in row {
            guard cell.bytes != nil else {
                columns[cell.columnName] = .null
                continue
            }
            switch cell.dataType {
            case .bool: columns[cell.columnName] = .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .int2, .int4, .int8: columns[cell.columnName] = .integer(try cell.decode(Int64.self))
            case .float4, .float8: columns[cell.columnName] = .real(try cell.decode(Double.self))
            default: columns[cell.columnName] = .text(try cell.decode(String.self))
            }
        }
        return try CallRecord(columns: columns)
    }
}
