import CallVaultCore
import Foundation

/// What both backends' registries share besides the attribution rules (``CallAttributor``): how an
/// import is compared with the rows in place, and the listings' SQL, so `numbers import`, `list`
/// and `unassigned` say the same on SQLite and PostgreSQL.
extension Registry {
    /// The columns that make a row's content, in the order ``contentValues(_:)`` gives them.
    public static let contentColumns = "tracking_number, campaign, source, medium, valid_from, valid_to, metadata, pool"

    /// An entry's content as stored: times as index text, metadata as sorted JSON.
    public static func contentValues(_ entry: RegistryEntry) -> [String?] { Key(entry: entry).values }

    /// How `entries` compare with the `existing` rows' content (``contentColumns``): rows added and
    /// removed, and whether nothing changes (the same rows, as many).
    public static func compare(existing: [[String?]], with entries: [RegistryEntry]) -> (unchanged: Bool, added: Int, removed: Int) {
        let incoming = entries.map { Key(entry: $0).values }
        let old = Set(existing), new = Set(incoming)
        return (old == new && existing.count == incoming.count, new.subtracting(old).count, old.subtracting(new).count)
    }

    /// `numbers list`: each row with the calls it attributes, by number then `valid_from` (open-ended first, as SQLite sorts NULL).
    public static func listSQL(_ dialect: HoldMatch.Dialect) -> String {
        """
        SELECT r.tracking_number, r.campaign, r.source, r.medium, r.valid_from, r.valid_to, r.metadata, r.pool,
               (SELECT count(*) FROM calls c WHERE c.registry_id = r.id) AS calls
        FROM registry r ORDER BY r.tracking_number, r.valid_from\(dialect == .postgres ? " NULLS FIRST" : "")
        """
    }

    /// `numbers unassigned`: the tracking numbers of calls no row attributes, busiest first.
    public static let unassignedSQL = """
        SELECT tracking_number, count(*) AS calls, min(started_at) AS first, max(started_at) AS last
        FROM calls WHERE campaign IS NULL GROUP BY tracking_number ORDER BY calls DESC, tracking_number
        """
}

extension Registry.Listing {
    public init(trackingNumber: String, campaign: String, source: String?, medium: String?, validFrom: String?, validTo: String?,
                calls: Int, metadataJSON: String, pool: String?) {
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataJSON.utf8))) ?? [:]
        self.init(trackingNumber: trackingNumber, campaign: campaign, source: source, medium: medium, validFrom: validFrom,
                  validTo: validTo, calls: calls, metadata: metadata, pool: pool)
    }
}

extension Registry.Unassigned {
    public init(trackingNumber: String, calls: Int, first: String, last: String) {
        self.init(trackingNumber: trackingNumber, calls: calls, firstCall: first, lastCall: last)
    }
}
