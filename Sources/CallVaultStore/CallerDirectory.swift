import CallVaultCore
import Crypto
import Foundation
import GRDB

/// The caller directory: names and addresses for callers' numbers (`callvault directory`).
///
/// Unlike the registry it changes no call: calls are joined to it by `calls.caller` when read
/// (`show`, `query`, `report callers`), so a directory imported after the calls applies to them at
/// once, and replacing it leaves the index of calls untouched. An import replaces the whole
/// directory in one transaction and writes a `directory_imported` audit entry (the directory holds
/// personal data); the same file again changes nothing and writes nothing.
public struct CallerDirectory: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    static func migrate(_ db: Database) throws {
        try db.create(table: "caller_directory") { t in
            t.primaryKey("number", .text)
            for column in CallerDirectoryEntry.columns.dropFirst() { t.column(column, .text) }
            t.column("imported_at", .text).notNull()
            t.column("imported_from", .text).notNull()
        }
    }

    public struct ImportResult: Sendable, Equatable {
        public var rows: Int
        public var added: Int
        public var removed: Int
        public var changed: Int
        public var unchanged: Bool { added == 0 && removed == 0 && changed == 0 }
    }

    /// SHA-256 of the file's text and the country code that read it: the same file read the same
    /// way is recognised without parsing it.
    public static func fingerprint(text: String, countryCode: String) -> String {
        SHA256.hash(data: Data((countryCode + "\n" + text).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// True when the directory was last imported from exactly this fingerprint.
    public func isImported(fingerprint: String) throws -> Bool {
        try index.pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'caller_directory_fingerprint'") == fingerprint
        }
    }

    /// Replaces the directory with `entries` (checked by ``CallerDirectoryEntry/parse(csv:file:defaultCountryCode:)``)
    /// and records `fingerprint`, in one transaction. The same rows again change nothing.
    public func replace(with entries: [CallerDirectoryEntry], file: String, fingerprint: String, now: Date) throws -> ImportResult {
        try index.pool.write { db in
            let result = Self.compare(existing: try Self.fetch(db, where: "", arguments: []), incoming: entries)
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('caller_directory_fingerprint', ?)", arguments: [fingerprint])
            if result.unchanged { return result }
            try db.execute(sql: "DELETE FROM caller_directory")
            let columns = CallerDirectoryEntry.columns + ["imported_at", "imported_from"]
            let insert = try db.makeStatement(sql: """
                INSERT INTO caller_directory (\(columns.joined(separator: ", ")))
                VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
                """)
            let importedAt = Timestamp.format(now)
            for e in entries {
                var values: [DatabaseValueConvertible?] = [e.number]
                values += e.fields.map(\.value)
                values += [importedAt, file]
                try insert.execute(arguments: StatementArguments(values))
            }
            try AuditLog.append(db, action: "directory_imported", ids: [], reason: Self.importReason, details: Self.importDetails(file: file, result))
            return result
        }
    }

    /// What an import of `incoming` changes in a directory holding `existing` (one row per number:
    /// the first of a number wins, as the import keeps it). Shared with the PostgreSQL index.
    public static func compare(existing: [CallerDirectoryEntry], incoming entries: [CallerDirectoryEntry]) -> ImportResult {
        let existing = Dictionary(existing.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        let incoming = Dictionary(entries.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        let added = incoming.keys.filter { existing[$0] == nil }.count
        let removed = existing.keys.filter { incoming[$0] == nil }.count
        let changed = incoming.filter { number, entry in existing[number].map { $0 != entry } ?? false }.count
        return ImportResult(rows: entries.count, added: added, removed: removed, changed: changed)
    }

    /// The `directory_imported` audit entry's reason and details (the same on both backends).
    public static let importReason = "callvault directory import"
    public static func importDetails(file: String, _ result: ImportResult) -> [String: String] {
        ["file": file, "rows": "\(result.rows)", "added": "\(result.added)", "removed": "\(result.removed)", "changed": "\(result.changed)"]
    }

    /// Every entry, by number.
    public func list() throws -> [CallerDirectoryEntry] {
        try index.pool.read { db in try Self.fetch(db, where: "", arguments: []) }
    }

    /// The entry for one normalised number, or nil.
    public func lookup(_ number: String) throws -> CallerDirectoryEntry? {
        try index.pool.read { db in try Self.fetch(db, where: "WHERE number = ?", arguments: [number]).first }
    }

    /// Entries for many callers at once (a page of calls, a report's top callers), keyed by number.
    public func entries(for numbers: [String]) throws -> [String: CallerDirectoryEntry] {
        try index.pool.read { db in try Self.entries(for: numbers, in: db) }
    }

    /// ``entries(for:)`` inside a caller's read, in chunks that stay under SQLite's parameter limit.
    public static func entries(for numbers: [String], in db: Database) throws -> [String: CallerDirectoryEntry] {
        var found: [String: CallerDirectoryEntry] = [:]
        let unique = Array(Set(numbers)).sorted()
        var start = 0
        while start < unique.count {
            let chunk = Array(unique[start..<min(start + 500, unique.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for e in try fetch(db, where: "WHERE number IN (\(marks))", arguments: StatementArguments(chunk)) { found[e.number] = e }
            start += chunk.count
        }
        return found
    }

    static func fetch(_ db: Database, where clause: String, arguments: StatementArguments) throws -> [CallerDirectoryEntry] {
        try Row.fetchAll(db, sql: "SELECT \(CallerDirectoryEntry.columns.joined(separator: ", ")) FROM caller_directory \(clause) ORDER BY number",
                         arguments: arguments).map { row in
            CallerDirectoryEntry(number: row["number"], name: row["name"], company: row["company"], address: row["address"],
                                 city: row["city"], region: row["region"], postalCode: row["postal_code"], country: row["country"],
                                 customerID: row["customer_id"], email: row["email"])
        }
    }
}
