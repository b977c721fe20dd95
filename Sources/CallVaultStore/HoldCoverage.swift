import CallVaultCore
import Foundation
import GRDB

extension Holds {
    /// The names of the active holds that cover each of these calls now (a call no hold covers is
    /// absent from the dictionary): the `holds` field of `show`, `query --format json` and the API.
    public static func names(covering ids: [String], in db: Database) throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: [String]] = [:]
        // Chunks keep the parameter count under SQLite's limit.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let placeholders = "IN (" + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + ")"
            let rows = try Row.fetchAll(db, sql: HoldMatch.namesSQL(idsIn: placeholders, .sqlite), arguments: StatementArguments(chunk))
            for row in rows { result[row["id"] as String, default: []].append(row["name"]) }
        }
        return result
    }

    public func names(covering ids: [String]) throws -> [String: [String]] {
        try index.pool.read { db in try Self.names(covering: ids, in: db) }
    }
}

extension AuditLog {
    /// Entries filtered by time and action, newest last; `limit` keeps the newest N (0: all).
    public func entries(since: Date?, action: String?, limit: Int = 0) throws -> [Entry] {
        try index.pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since { conditions.append("at >= ?"); arguments += [Timestamp.format(since)] }
            if let action { conditions.append("action = ?"); arguments += [action] }
            let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            if limit > 0 {
                arguments += [limit]
                return try Entry.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit \(clause) ORDER BY seq DESC LIMIT ?) ORDER BY seq", arguments: arguments)
            }
            return try Entry.fetchAll(db, sql: "SELECT * FROM audit \(clause) ORDER BY seq", arguments: arguments)
        }
    }
}

extension Registry {
    /// Every campaign name in the registry and among the calls, sorted: the choices of a campaign filter.
    public func campaignNames() throws -> [String] {
        try index.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT campaign FROM registry UNION SELECT DISTINCT campaign FROM calls WHERE campaign IS NOT NULL ORDER BY 1
                """)
        }
    }
}
