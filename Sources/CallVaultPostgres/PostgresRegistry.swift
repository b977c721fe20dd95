import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// The tracking-number registry on PostgreSQL: Store's ``Registry`` (the same rows, the same
/// comparison of an import with the rows in place, the same listings' SQL, the same attribution
/// text), so `numbers import`, `list`, `unassigned` and `relink` say the same on both backends and
/// `run` on PostgreSQL attributes by an imported registry.
///
/// Re-linking applies Store's rules (``PostgresAttribution``): registry rows, pool sessions and
/// call-back requests, as on SQLite.
///
/// An import or relink takes ``lockKey`` exclusively for its transaction, and the ingest
/// transaction's attribution step takes it shared: a call committed while a registry is imported
/// is either re-linked by the import or attributed by the new rows, never left with the old ones
/// (the order SQLite's single writer gives).
public struct PostgresRegistry: Sendable {
    public let index: PostgresIndex

    /// The advisory lock between registry changes and attribution at ingest ("cvregstr" as a big-endian Int64).
    public static let lockKey: Int64 = 0x6376_7265_6773_7472

    /// Registry rows inserted per statement (11 parameters each, well under PostgreSQL's 65,535).
    static let insertBatch = 500

    public init(index: PostgresIndex) { self.index = index }

    /// True when the registry was imported from exactly this fingerprint (``Registry/fingerprint(text:countryCode:timeZone:)``).
    public func isImported(fingerprint: String) async throws -> Bool {
        try await index.query("reading the registry's fingerprint", "SELECT value FROM meta WHERE key = 'registry_fingerprint'")
            .first?.decode(String.self) == fingerprint
    }

    /// Rows in the registry.
    public func rowCount() async throws -> Int {
        Int(try await index.query("counting registry rows", "SELECT count(*) FROM registry").first?.decode(Int64.self) ?? 0)
    }

    /// Records `fingerprint` as the registry's source (after a successful import).
    public func recordImport(fingerprint: String) async throws {
        _ = try await index.query("recording the registry's fingerprint", """
            INSERT INTO meta (key, value) VALUES ('registry_fingerprint', \(fingerprint))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """)
    }

    /// Replaces the registry with `entries` and re-links every call, in one transaction, as
    /// ``Registry/replace(with:file:now:windows:)`` does; the same rows again change nothing.
    public func replace(with entries: [RegistryEntry], file: String, now: Date, windows: AttributionWindows) async throws -> Registry.ImportResult {
        let logger = index.logger
        return try await index.transaction("importing the registry from \(file)") { c in
            _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            let columns = Registry.contentColumns.split(separator: ",").count
            let existing = try await c.query(PostgresQuery(unsafeSQL: "SELECT \(Registry.contentColumns) FROM registry"), logger: logger)
                .collect().map { row in try row.map { try $0.decode(String?.self) } }
            guard existing.allSatisfy({ $0.count == columns }) else {
                throw PostgresIndexError(.statement, "PostgreSQL index: the registry's columns are not \(Registry.contentColumns)")
            }
            let comparison = Registry.compare(existing: existing, with: entries)
            if comparison.unchanged { return Registry.ImportResult(rows: entries.count, added: 0, removed: 0, callsRelinked: 0) }
            try await c.query("DELETE FROM registry", logger: logger)
            let importedAt = Timestamp.format(now)
            for start in stride(from: 0, to: entries.count, by: Self.insertBatch) {
                var binds = PostgresBindings()
                var tuples: [String] = []
                for e in entries[start..<min(start + Self.insertBatch, entries.count)] {
                    let first = binds.count + 1
                    for value in Registry.contentValues(e) {
                        if let value { binds.append(value) } else { binds.appendNull() }
                    }
                    binds.append(Int64(e.line))
                    binds.append(importedAt)
                    binds.append(file)
                    tuples.append("(" + (first..<first + columns + 3).map { "$\($0)" }.joined(separator: ", ") + ")")
                }
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO registry (\(Registry.contentColumns), line, imported_at, imported_from) VALUES \(tuples.joined(separator: ", "))
                    """, binds: binds), logger: logger)
            }
            let relinked = try await PostgresAttribution.relink(c, logger: logger, windows: windows)
            return Registry.ImportResult(rows: entries.count, added: comparison.added, removed: comparison.removed, callsRelinked: relinked)
        }
    }

    /// Re-attributes every call (registry, sessions, requests); returns how many changed.
    public func relink(windows: AttributionWindows) async throws -> Int {
        let logger = index.logger
        return try await index.transaction("re-linking the calls to the registry") { c in
            _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            return try await PostgresAttribution.relink(c, logger: logger, windows: windows)
        }
    }

    /// Every campaign name in the registry and among the calls, in byte order
    /// (``Registry/campaignNames()``): the choices of the web search form's campaign filter.
    public func campaignNames() async throws -> [String] {
        try await index.query("reading campaign names", """
            SELECT campaign FROM (SELECT campaign FROM registry UNION SELECT campaign FROM calls WHERE campaign IS NOT NULL) AS names ORDER BY campaign COLLATE "C"
            """).map { try $0.decode(String.self) }
    }

    /// The registry with the calls each row attributes (``Registry/listSQL(_:)``).
    public func list() async throws -> [Registry.Listing] {
        try await index.query("listing the registry", PostgresQuery(unsafeSQL: Registry.listSQL(.postgres))).map { row in
            let (number, campaign, source, medium, from, to, metadata, pool, calls) =
                try row.decode((String, String, String?, String?, String?, String?, String, String?, Int64).self)
            return Registry.Listing(trackingNumber: number, campaign: campaign, source: source, medium: medium, validFrom: from,
                                    validTo: to, calls: Int(calls), metadataJSON: metadata, pool: pool)
        }
    }

    /// The tracking numbers of calls no row attributes (``Registry/unassignedSQL``).
    public func unassigned() async throws -> [Registry.Unassigned] {
        try await index.query("listing unassigned numbers", PostgresQuery(unsafeSQL: Registry.unassignedSQL)).map { row in
            let (number, calls, first, last) = try row.decode((String, Int64, String, String).self)
            return Registry.Unassigned(trackingNumber: number, calls: Int(calls), first: first, last: last)
        }
    }
}
