import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The caller directory on a PostgreSQL index (`pg-v4-caller-directory`): Store's
/// ``CallerDirectory`` (the same rows, fingerprint, comparison and `directory_imported` entry), so
/// `directory import`, `list` and `lookup`, `show`'s `caller_directory` and `query --caller-name`
/// read the same on both backends. Calls are joined to it when read, never changed by it.
public struct PostgresCallerDirectory: Sendable {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    static let columns = CallerDirectoryEntry.columns.joined(separator: ", ")

    /// True when the directory was last imported from exactly this fingerprint (``CallerDirectory/fingerprint(text:countryCode:)``).
    public func isImported(fingerprint: String) async throws -> Bool {
        try await index.query("reading the caller directory's fingerprint", "SELECT value FROM meta WHERE key = 'caller_directory_fingerprint'")
            .first?.decode(String.self) == fingerprint
    }

    /// Replaces the directory with `entries` and records `fingerprint`, in one transaction, as
    /// ``CallerDirectory/replace(with:file:fingerprint:now:)`` does; the same rows again change nothing.
    public func replace(with entries: [CallerDirectoryEntry], file: String, fingerprint: String, now: Date) async throws -> CallerDirectory.ImportResult {
        let logger = index.logger
        return try await index.transaction("importing the caller directory from \(file)") { c in
            // One import at a time: the comparison below must see the rows it replaces.
            _ = try await c.query("LOCK TABLE caller_directory IN EXCLUSIVE MODE", logger: logger)
            let existing = try await c.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM caller_directory"), logger: logger)
                .collect().map(Self.entry)
            let result = CallerDirectory.compare(existing: existing, incoming: entries)
            try await c.query("""
                INSERT INTO meta (key, value) VALUES ('caller_directory_fingerprint', \(fingerprint))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            if result.unchanged { return result }
            try await c.query("DELETE FROM caller_directory", logger: logger)
            let importedAt = Timestamp.format(now)
            let width = CallerDirectoryEntry.columns.count + 2
            // Rows in batches (12 parameters each, well under PostgreSQL's 65,535 a statement).
            var start = 0
            while start < entries.count {
                let batch = entries[start..<min(start + 1000, entries.count)]
                var binds = PostgresBindings()
                var rows: [String] = []
                for (n, e) in batch.enumerated() {
                    rows.append("(" + (1...width).map { "$\(n * width + $0)" }.joined(separator: ", ") + ")")
                    binds.append(e.number)
                    for field in e.fields { binds.append(field.value) }
                    binds.append(importedAt)
                    binds.append(file)
                }
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO caller_directory (\(Self.columns), imported_at, imported_from) VALUES \(rows.joined(separator: ", "))
                    """, binds: binds), logger: logger)
                start += batch.count
            }
            try await PostgresAuditLog.append(c, logger: logger, action: "directory_imported", ids: [], reason: CallerDirectory.importReason,
                                              details: CallerDirectory.importDetails(file: file, result))
            return result
        }
    }

    /// Every entry, by number (byte order, as SQLite).
    public func list() async throws -> [CallerDirectoryEntry] {
        try await index.query("listing the caller directory", PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM caller_directory ORDER BY number"))
            .map(Self.entry)
    }

    /// The entry for one normalised number, or nil.
    public func lookup(_ number: String) async throws -> CallerDirectoryEntry? {
        try await entries(for: [number])[number]
    }

    /// Entries for many callers at once (a page of calls), keyed by number.
    public func entries(for numbers: [String]) async throws -> [String: CallerDirectoryEntry] {
        guard !numbers.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(Array(Set(numbers)).sorted())
        let rows = try await index.query("reading the caller directory for \(numbers.count) number(s)", PostgresQuery(unsafeSQL: """
            SELECT \(Self.columns) FROM caller_directory WHERE number = ANY($1)
            """, binds: binds))
        var found: [String: CallerDirectoryEntry] = [:]
        for e in try rows.map(Self.entry) { found[e.number] = e }
        return found
    }

    static func entry(_ row: PostgresRow) throws -> CallerDirectoryEntry {
        let (number, name, company, address, city, region, postalCode, country, customerID, email) =
            try row.decode((String, String?, String?, String?, String?, String?, String?, String?, String?, String?).self)
        return CallerDirectoryEntry(number: number, name: name, company: company, address: address, city: city, region: region,
                                    postalCode: postalCode, country: country, customerID: customerID, email: email)
    }
}
