import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// What `show` and `query` read of a PostgreSQL index, async (a command awaits it on the
/// cooperative pool; nothing here blocks): the same ``CallRecord``s, matches, order and page as
/// SQLite's ``CallQuery``, and the holds covering each call, so the commands print the same output
/// on both backends.
public struct PostgresCallReader: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    /// The call with archive id `id`, or nil.
    public func call(id: String) async throws -> CallRecord? {
        try await index.query("reading call \(id)", "SELECT * FROM calls WHERE id = \(id)").first.map(PostgresCallColumns.record)
    }

    /// The calls `query` matches, ordered and paged as ``CallQuery/run(_:)`` does on SQLite (the
    /// caller-name filter through the caller directory, ``PostgresCallerDirectory``).
    public func calls(_ query: CallQuery) async throws -> CallQuery.Result {
        let (clause, values) = query.conditions(.postgres)
        let (whereSQL, binds) = try Self.numbered(clause, values)
        let totalRows = try await index.query("counting matching calls", PostgresQuery(unsafeSQL: "SELECT count(*) FROM calls \(whereSQL)", binds: binds))
        let total = Int(try totalRows.first?.decode(Int64.self) ?? 0)
        // The same order as SQLite: the key, then the id (text compared byte by byte, pg-v2).
        let order = (query.sort == .startedAt ? "started_at" : "duration_ms") + (query.ascending ? " ASC" : " DESC") + ", id"
        var sql = "SELECT * FROM calls \(whereSQL) ORDER BY \(order)"
        var pageBinds = binds
        if query.limit > 0 {
            sql += " LIMIT $\(pageBinds.count + 1)"
            pageBinds.append(Int64(query.limit))
        }
        if query.offset > 0 {
            sql += " OFFSET $\(pageBinds.count + 1)"
            pageBinds.append(Int64(query.offset))
        }
        let rows = try await index.query("reading matching calls", PostgresQuery(unsafeSQL: sql, binds: pageBinds))
        return CallQuery.Result(records: try rows.map(PostgresCallColumns.record), total: total)
    }

    /// The names of the active holds that cover each of these calls now (a call no hold covers is
    /// absent), in the order SQLite's `Holds.names(covering:)` gives them (the same SQL, ``HoldMatch``).
    public func holdNames(covering ids: [String]) async throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(ids)
        let sql = HoldMatch.namesSQL(idsIn: "= ANY($1)", .postgres)
        let rows = try await index.query("reading the holds of \(ids.count) call(s)", PostgresQuery(unsafeSQL: sql, binds: binds))
        var result: [String: [String]] = [:]
        for row in rows {
            let (id, name) = try row.decode((String, String).self)
            result[id, default: []].append(name)
        }
        return result
    }

    /// `sql`'s `?` placeholders numbered `$1`, `$2`… with `values` bound in order. The SQL is
    /// ``CallQuery/conditions()``'s, which holds no `?` inside a quoted text.
    static func numbered(_ sql: String, _ values: [IndexValue]) throws -> (String, PostgresBindings) {
        var binds = PostgresBindings()
        var out = ""
        var n = 0
        for c in sql {
            guard c == "?" else { out.append(c); continue }
            n += 1
            out += "$\(n)"
        }
        guard n == values.count else {
            throw PostgresIndexError(.statement, "PostgreSQL index: the query has \(n) placeholders for \(values.count) values")
        }
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let v): binds.append(v)
            case .real(let v): binds.append(v)
            case .text(let v): binds.append(v)
            case .blob: throw PostgresIndexError(.statement, "PostgreSQL index: a call filter never binds bytes")
            }
        }
        return (out, binds)
    }
}
