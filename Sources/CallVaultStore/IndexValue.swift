import Foundation
import GRDB

/// A column's value as the index stores it, whatever the database: what another backend
/// (PostgreSQL) writes and reads, so that a record goes through the same encoding and decoding
/// code on both (``CallRecord/columnValues()``, ``CallRecord/init(columns:)``) and reads back
/// byte for byte.
public enum IndexValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let v): self = .integer(v)
        case .double(let v): self = .real(v)
        case .string(let v): self = .text(v)
        case .blob(let v): self = .blob(v)
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let v): v.databaseValue
        case .real(let v): v.databaseValue
        case .text(let v): v.databaseValue
        case .blob(let v): v.databaseValue
        }
    }
}

extension CallRecord {
    /// The record's `calls` columns and values, as SQLite's insert writes them (booleans as 0 or 1,
    /// times and JSON as text), sorted by column name.
    public func columnValues() throws -> [(column: String, value: IndexValue)] {
        try databaseDictionary.map { (column: $0.key, value: IndexValue($0.value)) }.sorted { $0.column < $1.column }
    }

    /// A record read by another backend, from its `calls` columns: decoded by the same code as a
    /// SQLite row (``init(row:)``), with the same defaults and errors.
    public init(columns: [String: IndexValue]) throws {
        try self.init(row: Row(columns.mapValues { $0.databaseValue as (any DatabaseValueConvertible)? }))
    }
}
