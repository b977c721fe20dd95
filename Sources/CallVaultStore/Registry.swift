import CallVaultCore
import Foundation
import GRDB

/// The tracking-number registry and call attribution.
///
/// A call is attributed to the registry row of its tracking number whose half-open window
/// `[valid_from, valid_to)` contains `started_at`. Importing replaces the whole registry in one
/// transaction and re-links every call, so a registry loaded after the calls still attributes them.
public struct Registry: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    public struct ImportResult: Sendable, Equatable {
        public var rows: Int
        public var added: Int
        public var removed: Int
        public var callsRelinked: Int
        public var unchanged: Bool { added == 0 && removed == 0 }

        public init(rows: Int, added: Int, removed: Int, callsRelinked: Int) {
            (self.rows, self.added, self.removed, self.callsRelinked) = (rows, added, removed, callsRelinked)
        }
    }

    /// Replaces the registry with `entries` (already checked by ``RegistryEntry/parse(csv:file:defaultCountryCode:timeZone:)``).
    /// Importing the same rows again changes nothing.
    /// `windows` are the config's attribution windows, for the calls to pool numbers.
    public func replace(with entries: [RegistryEntry], file: String, now: Date,
                        windows: AttributionWindows = Registry.defaultWindows) throws -> ImportResult {
        try index.pool.write { db in
            let existing = try Row.fetchAll(db, sql: "SELECT \(Self.contentColumns) FROM registry").map { Key(row: $0).values }
            let comparison = Self.compare(existing: existing, with: entries)
            if comparison.unchanged {
                return ImportResult(rows: entries.count, added: 0, removed: 0, callsRelinked: 0)
            }
            try db.execute(sql: "DELETE FROM registry")
            let insert = try db.makeStatement(sql: """
                INSERT INTO registry (tracking_number, campaign, source, medium, valid_from, valid_to, line, imported_at, imported_from, metadata, pool)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let importedAt = Timestamp.format(now)
            for e in entries {
                try insert.execute(arguments: [e.trackingNumber, e.campaign, e.source, e.medium, e.validFrom.map(Timestamp.format),
                                               e.validTo.map(Timestamp.format), e.line, importedAt, file, Key.metadataJSON(e.metadata), e.pool])
            }
            let relinked = try CallAttributor.relink(db, windows: windows)
            return ImportResult(rows: entries.count, added: comparison.added, removed: comparison.removed, callsRelinked: relinked)
        }
    }

    /// The attribution windows when a caller names none (`Settings.Defaults.callbackWindowMinutes`
    /// and `poolSessionTimeoutMinutes`, repeated here because Store cannot see Settings; the
    /// CLI always passes the configured ones).
    public static let defaultWindows = AttributionWindows(callbackWindowMinutes: 30, poolSessionTimeoutMinutes: 30)

    /// Re-attributes every call (registry, pool sessions, call-backs); returns how many changed.
    public func relink(windows: AttributionWindows = Registry.defaultWindows) throws -> Int {
        try index.pool.write { db in try CallAttributor.relink(db, windows: windows) }
    }

    /// The registry-only relink of the schema before v11 (pools, call-backs): the v6 migration runs
    /// it on a database of that time, so it stays as it was. Everything newer uses ``CallAttributor``.
    static func relinkAll(_ db: Database) throws -> Int {
        try db.execute(sql: """
            UPDATE calls SET (campaign, source, medium, registry_id) = (
                SELECT r.campaign, r.source, r.medium, r.id FROM registry r
                WHERE r.tracking_number = calls.tracking_number
                  AND (r.valid_from IS NULL OR r.valid_from <= calls.started_at)
                  AND (r.valid_to IS NULL OR calls.started_at < r.valid_to)
                ORDER BY r.valid_from DESC LIMIT 1)
            WHERE registry_id IS NOT (
                SELECT r.id FROM registry r
                WHERE r.tracking_number = calls.tracking_number
                  AND (r.valid_from IS NULL OR r.valid_from <= calls.started_at)
                  AND (r.valid_to IS NULL OR calls.started_at < r.valid_to)
                ORDER BY r.valid_from DESC LIMIT 1)
            """)
        return db.changesCount
    }

    /// Ingest step: sets the attribution fields of a record about to be inserted, in the ingest
    /// transaction (so an import committed just before is seen). See ``CallAttributor``.
    public static func link(_ record: inout CallRecord, windows: AttributionWindows = Registry.defaultWindows, _ db: Database) throws {
        try CallAttributor.link(&record, windows: windows, db)
    }

    public struct Listing: Sendable, Codable, Equatable {
        public var trackingNumber: String
        public var campaign: String
        public var source: String?
        public var medium: String?
        public var validFrom: String?
        public var validTo: String?
        public var calls: Int
        /// The CSV's other columns (`notes`…), empty when it had none.
        public var metadata: [String: String]
        /// The pool the number belongs to (dynamic number insertion), or nil.
        public var pool: String? = nil

        enum CodingKeys: String, CodingKey {
            case trackingNumber = "tracking_number", campaign, source, medium
            case validFrom = "valid_from", validTo = "valid_to", calls, metadata, pool
        }
    }

    public func list() throws -> [Listing] {
        try index.pool.read { db in
            try Row.fetchAll(db, sql: Self.listSQL(.sqlite)).map {
                Listing(trackingNumber: $0["tracking_number"], campaign: $0["campaign"], source: $0["source"], medium: $0["medium"],
                        validFrom: $0["valid_from"], validTo: $0["valid_to"], calls: $0["calls"], metadataJSON: $0["metadata"],
                        pool: $0["pool"])
            }
        }
    }

    public struct Unassigned: Sendable, Codable, Equatable {
        public var trackingNumber: String
        public var calls: Int
        public var firstCall: String
        public var lastCall: String

        enum CodingKeys: String, CodingKey {
            case trackingNumber = "tracking_number", calls
            case firstCall = "first_call", lastCall = "last_call"
        }
    }

    /// Tracking numbers of calls no registry row attributes.
    public func unassigned() throws -> [Unassigned] {
        try index.pool.read { db in
            try Row.fetchAll(db, sql: Self.unassignedSQL).map {
                Unassigned(trackingNumber: $0["tracking_number"], calls: $0["calls"], first: $0["first"], last: $0["last"])
            }
        }
    }

    struct Key: Hashable {
        var values: [String?]
        init(row: Row) {
            values = ["tracking_number", "campaign", "source", "medium", "valid_from", "valid_to", "metadata", "pool"].map { row[$0] }
        }
        init(entry e: RegistryEntry) {
            values = [e.trackingNumber, e.campaign, e.source, e.medium, e.validFrom.map(Timestamp.format), e.validTo.map(Timestamp.format),
                      Self.metadataJSON(e.metadata), e.pool]
        }

        /// Sorted keys, so the same columns always give the same text (an unchanged file changes nothing).
        static func metadataJSON(_ metadata: [String: String]) -> String {
            if metadata.isEmpty { return "{}" }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? String(decoding: encoder.encode(metadata), as: UTF8.self)) ?? "{}"
        }
    }
}
