import Foundation
import GRDB

/// The tables an index is moved by (`callvault db migrate`), each with the key its rows are read
/// and written by: batches in key order, so a copy killed half-way resumes where it stopped.
/// Sessions, the queue and derived tables (report aggregates) are not moved: a session is signed
/// in again, jobs belong to the spool, aggregates are recomputed.
public enum IndexTable: String, CaseIterable, Sendable {
    case registry, holds, users
    /// The caller directory and the website's logs (on PostgreSQL since `pg-v4`/`pg-v5`).
    case callerDirectory = "caller_directory", webSessions = "web_sessions", callbackRequests = "callback_requests"
    case calls, audit

    /// The column every row is known by.
    public var key: String {
        switch self {
        case .registry, .holds, .calls: "id"
        case .users: "name"
        case .callerDirectory: "number"
        case .webSessions: "session_id"
        case .callbackRequests: "request_id"
        case .audit: "seq"
        }
    }
}

extension CallIndex {
    /// Up to `limit` rows of `table` whose key comes after `after` (from the first when nil), in
    /// key order, each as its columns and values.
    public func rows(of table: IndexTable, after: IndexValue?, limit: Int) throws -> [[(column: String, value: IndexValue)]] {
        try pool.read { db in
            // The table and key names are the enum's own, never input.
            let condition = after == nil ? "" : "WHERE \(table.key) > ?"
            let arguments = StatementArguments((after.map { [$0.databaseValue] } ?? []) + [limit.databaseValue])
            return try Row.fetchAll(db, sql: "SELECT * FROM \(table.rawValue) \(condition) ORDER BY \(table.key) LIMIT ?", arguments: arguments)
                .map { row in row.map { (column: $0.0, value: IndexValue($0.1)) } }
        }
    }

    /// How many rows `table` has.
    public func count(of table: IndexTable) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)") ?? 0 }
    }
}
