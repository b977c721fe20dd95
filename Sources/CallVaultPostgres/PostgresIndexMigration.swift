import CallVaultCore
import CallVaultFaultInjection
import CallVaultStore
import Foundation
import Logging
import PostgresNIO

/// `callvault db migrate`: moves a SQLite index to a PostgreSQL one — the registry, holds, users,
/// the caller directory, the website's sessions and call-back requests, calls and the audit log with its hash chain as written (the same `seq`, times and hashes, so
/// the chain checks out on PostgreSQL), and the index's id and archive root, so the archive's
/// marker names the moved index.
///
/// Resumable: each table is copied in batches in key order, one transaction each, a row whose key
/// is already there skipped (`ON CONFLICT DO NOTHING`); a copy killed at any point is run again
/// and finishes the work. The audit log is checked as it goes: an entry already on the target must
/// be the source's (the same hash at that `seq`), so two histories are never mixed. At the end the
/// counts are compared and the chain verified on PostgreSQL.
///
/// ```swift
/// let report = try await PostgresIndexMigration(source: sqlite, target: index).run(batch: 500)
/// ```
public struct PostgresIndexMigration: Sendable {
    public let source: CallIndex
    public let target: PostgresIndex

    public init(source: CallIndex, target: PostgresIndex) {
        self.source = source
        self.target = target
    }

    public struct Report: Sendable, Codable, Equatable {
        /// Rows of each table now on the target, and how many this run copied.
        public var tables: [String: Int] = [:]
        public var copied: [String: Int] = [:]
        public var indexID: String?
        /// The last audit entry's hash on both sides (the chain verified up to it).
        public var auditHead: String?

        enum CodingKeys: String, CodingKey {
            case tables, copied
            case indexID = "index_id"
            case auditHead = "audit_head"
        }
    }

    public func run(batch: Int) async throws -> Report {
        var report = Report()
        report.indexID = try await adoptIdentity()
        for table in IndexTable.allCases {
            let types = try await columnTypes(table)
            var after: IndexValue?
            var copied = 0
            while true {
                let rows = try source.rows(of: table, after: after, limit: batch)
                guard let last = rows.last else { break }
                copied += try await insert(rows, into: table, types: types)
                after = last.first { $0.column == table.key }?.value
                FaultInjection.point("db-migrate.after-batch")
                if rows.count < batch { break }
            }
            if table == .registry || table == .holds { try await resetSequence(table) }
            report.copied[table.rawValue] = copied
            report.tables[table.rawValue] = try await count(table)
        }
        if let root = try source.recordedArchiveRoot() { try await target.setMeta("archive_root", root) }
        report.auditHead = try await verify(report)
        return report
    }

    /// The target takes the source's id (the archive's marker names it) unless it already has
    /// calls of another index.
    private func adoptIdentity() async throws -> String? {
        guard let id = try source.identity() else { return nil }
        if try await target.meta("index_id") != id, try await target.callCount() > 0 {
            throw PostgresIndexError(.statement, "PostgreSQL index \(target.url): it already has calls of another index; migrate into an empty PostgreSQL database")
        }
        try await target.setMeta("index_id", id)
        return id
    }

    /// Each column's type on the server (`text`, `bigint`, `boolean`, `double precision`…).
    private func columnTypes(_ table: IndexTable) async throws -> [String: String] {
        let rows = try await target.query("reading the columns of \(table.rawValue)", """
            SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table.rawValue)
            """)
        var types: [String: String] = [:]
        for row in rows {
            let (name, type) = try row.decode((String, String).self)
            types[name] = type
        }
        return types
    }

    /// Inserts the rows not yet there in one transaction; returns how many were new.
    private func insert(_ rows: [[(column: String, value: IndexValue)]], into table: IndexTable, types: [String: String]) async throws -> Int {
        let statements = try rows.map { try Self.statement(table, row: $0, types: types) }
        return try await target.transaction("copying \(rows.count) row(s) of \(table.rawValue)") { connection in
            if table == .audit {
                // No entry may be appended by a worker in between: the chain is copied as it is.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresAuditLog.appendLockKey))", logger: target.logger).collect()
            }
            var new = 0
            for statement in statements {
                new += try await connection.query(statement, logger: target.logger).collect().count
            }
            if table == .audit { try await Self.checkSameHistory(rows, connection: connection, logger: target.logger) }
            return new
        }
    }

    /// The audit entries now on the target at these `seq`s have the source's hashes.
    private static func checkSameHistory(_ rows: [[(column: String, value: IndexValue)]], connection: PostgresConnection, logger: Logger) async throws {
        for row in rows {
            guard case .integer(let seq)? = row.first(where: { $0.column == "seq" })?.value,
                  case .text(let hash)? = row.first(where: { $0.column == "hash" })?.value else { continue }
            let there = try await connection.query("SELECT hash FROM audit WHERE seq = \(seq)", logger: logger).collect()
            guard try there.first?.decode(String.self) == hash else {
                throw PostgresIndexError(.statement, "PostgreSQL index: its audit log has another entry at seq \(seq) than the SQLite index; migrate into an empty PostgreSQL database")
            }
        }
    }

    /// `INSERT … ON CONFLICT (key) DO NOTHING RETURNING 1` for one row, each value bound as the
    /// target column's type (SQLite keeps booleans as 0 or 1).
    static func statement(_ table: IndexTable, row: [(column: String, value: IndexValue)], types: [String: String]) throws -> PostgresQuery {
        var binds = PostgresBindings()
        var names: [String] = []
        for (column, value) in row {
            guard let type = types[column] else {
                if value == .null { continue }
                throw PostgresIndexError(.statement, "PostgreSQL index: \(table.rawValue).\(column) has data in the SQLite index but no column on PostgreSQL (a newer SQLite schema?)")
            }
            names.append("\"\(column)\"")  // a name the server listed for this table
            try bind(value, as: type, into: &binds, what: "\(table.rawValue).\(column)")
        }
        let placeholders = (1...names.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: """
            INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (\(table.key)) DO NOTHING RETURNING 1
            """, binds: binds)
    }

    private static func bind(_ value: IndexValue, as type: String, into binds: inout PostgresBindings, what: String) throws {
        switch (value, type) {
        case (.null, _): binds.appendNull()
        case (.integer(let v), "boolean"): binds.append(v != 0)
        case (.integer(let v), "bigint"), (.integer(let v), "integer"): binds.append(v)
        case (.integer(let v), "double precision"): binds.append(Double(v))
        case (.real(let v), "double precision"): binds.append(v)
        case (.text(let v), "text"): binds.append(v)
        case (.integer(let v), "text"): binds.append(String(v))
        case (.real(let v), "text"): binds.append(String(v))
        default:
            throw PostgresIndexError(.statement, "PostgreSQL index: \(what): a \(value) cannot go into a \(type) column")
        }
    }

    /// The id sequence after the copied ids, so rows added later on PostgreSQL get new ones.
    private func resetSequence(_ table: IndexTable) async throws {
        _ = try await target.query("moving the id sequence of \(table.rawValue)", """
            SELECT setval(pg_get_serial_sequence(\(table.rawValue), 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL) FROM \(unescaped: table.rawValue)
            """)
    }

    private func count(_ table: IndexTable) async throws -> Int {
        let rows = try await target.query("counting \(table.rawValue)", "SELECT count(*) FROM \(unescaped: table.rawValue)")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// Every table has at least the source's rows, and the audit chain checks out on PostgreSQL
    /// up to the source's last entry; returns that entry's hash.
    private func verify(_ report: Report) async throws -> String? {
        for table in IndexTable.allCases {
            let there = report.tables[table.rawValue] ?? 0
            let expected = try source.count(of: table)
            guard there >= expected else {
                throw PostgresIndexError(.statement, "PostgreSQL index: \(table.rawValue) has \(there) rows after the copy, the SQLite index \(expected)")
            }
        }
        let log = PostgresAuditLog(index: target)
        if let broken = try await log.firstBrokenLink() {
            throw PostgresIndexError(.statement, "PostgreSQL index: the audit chain is broken at seq \(broken.seq) after the copy: \(broken.reason)")
        }
        let sourceHead = try AuditLog(index: source).entries().last?.hash
        let targetHead = try await target.query("reading the audit head", "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").first?.decode(String.self)
        guard sourceHead == nil || sourceHead == targetHead else {
            throw PostgresIndexError(.statement, "PostgreSQL index: the audit log ends at another entry than the SQLite index's")
        }
        return targetHead
    }
}
