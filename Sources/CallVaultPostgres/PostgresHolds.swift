import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// Legal holds on a PostgreSQL index: Store's ``Holds`` (the same rows, selectors, coverage SQL
/// through ``HoldMatch``, and `hold_added`/`hold_removed` entries with the same ids and details),
/// so `hold add`, `remove` and `list` print and audit the same on both backends.
///
/// Placing or removing a hold takes ``lockKey`` exclusively for its transaction, and retention's
/// deleting transaction takes it shared (``PostgresRetentionIndex``): a hold committed before a
/// deletion's check is seen by it, and a hold placed while a deletion runs waits for it and then
/// no longer counts the deleted call. That is the order SQLite's single writer gives.
public struct PostgresHolds: Sendable {
    public let index: PostgresIndex

    /// The advisory lock between hold changes and retention's deletions ("cvholds!" as a big-endian Int64).
    public static let lockKey: Int64 = 0x6376_686F_6C64_7321

    public init(index: PostgresIndex) { self.index = index }

    /// Places `hold`, as ``Holds/add(_:warnings:)`` does: refused without a selector or when an
    /// active hold has its name (``Holds/HoldError``); unknown ids and campaign returned and noted.
    public func add(_ hold: Holds.Hold, warnings: [String] = []) async throws -> Holds.Added {
        guard !hold.selectors.isEmpty else { throw Holds.HoldError.noSelector }
        let logger = index.logger
        let result: Result<Holds.Added, Holds.HoldError> = try await index.transaction("placing hold \(hold.name)") { c in
            _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            let active = try await c.query("SELECT count(*) FROM holds WHERE name = \(hold.name) AND removed_at IS NULL", logger: logger).collect()
            if try active.first?.decode(Int64.self) ?? 0 > 0 { return .failure(.duplicate(hold.name)) }
            let inserted = try await c.query("""
                INSERT INTO holds (name, reason, placed_by, placed_at, call_ids, campaign, caller, tracking_number, since, until)
                VALUES (\(hold.name), \(hold.reason), \(hold.placedBy), \(hold.placedAt), \(hold.callIDs.map { AuditChain.json($0) }),
                        \(hold.campaign), \(hold.caller), \(hold.trackingNumber), \(hold.since), \(hold.until))
                RETURNING id
                """, logger: logger).collect()
            guard let holdID = try inserted.first?.decode(Int64.self) else {
                throw PostgresIndexError(.statement, "PostgreSQL index: placing hold \(hold.name): the insert returned no id")
            }
            var binds = PostgresBindings()
            binds.append(holdID)
            let coveredSQL = "SELECT id FROM calls WHERE \(HoldMatch.covered(by: "h.id = $1", .postgres)) ORDER BY id"
            var added = Holds.Added(covered: try await c.query(PostgresQuery(unsafeSQL: coveredSQL, binds: binds), logger: logger)
                .collect().map { try $0.decode(String.self) })
            if let ids = hold.callIDs {
                let known = Set(try await c.query("SELECT id FROM calls WHERE id = ANY(\(ids))", logger: logger).collect()
                    .map { try $0.decode(String.self) })
                added.unknownIDs = ids.filter { !known.contains($0) }
            }
            if let campaign = hold.campaign {
                let known = try await c.query("""
                    SELECT EXISTS (SELECT 1 FROM calls WHERE campaign = \(campaign)) OR EXISTS (SELECT 1 FROM registry WHERE campaign = \(campaign))
                    """, logger: logger).collect().first?.decode(Bool.self) ?? false
                if !known { added.unknownCampaign = campaign }
            }
            try await PostgresAuditLog.append(c, logger: logger, action: "hold_added", ids: added.covered, reason: hold.reason,
                                              details: Holds.addedDetails(hold, added, warnings: warnings))
            return .success(added)
        }
        return try result.get()
    }

    /// Removes the active hold `name`, as ``Holds/remove(name:by:reason:now:)`` does; returns how
    /// many calls no other hold covers now (listed in the `hold_removed` entry).
    public func remove(name: String, by: String, reason: String, now: Date) async throws -> Int {
        let logger = index.logger
        let held = "SELECT id FROM calls WHERE \(HoldMatch.held(.postgres)) ORDER BY id"
        let result: Result<Int, Holds.HoldError> = try await index.transaction("removing hold \(name)") { c in
            _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            let covered = try await c.query(PostgresQuery(unsafeSQL: held), logger: logger).collect().map { try $0.decode(String.self) }
            let updated = try await c.query("""
                UPDATE holds SET removed_at = \(Timestamp.format(now)), removed_by = \(by), removal_reason = \(reason)
                WHERE name = \(name) AND removed_at IS NULL RETURNING id
                """, logger: logger).collect()
            guard updated.count == 1 else { return .failure(.notFound(name)) }
            let still = Set(try await c.query(PostgresQuery(unsafeSQL: held), logger: logger).collect().map { try $0.decode(String.self) })
            let released = covered.filter { !still.contains($0) }
            try await PostgresAuditLog.append(c, logger: logger, action: "hold_removed", ids: released, reason: reason,
                                              details: ["name": name, "removed_by": by])
            return .success(released.count)
        }
        return try result.get()
    }

    /// The holds (active only, or all), oldest first, each with how many calls it covers now.
    public func list(includeRemoved: Bool) async throws -> [Holds.Hold] {
        let rows = try await index.query("listing holds", PostgresQuery(unsafeSQL: """
            SELECT id, name, reason, placed_by, placed_at, call_ids, campaign, caller, tracking_number, since, until,
                   removed_at, removed_by, removal_reason,
                   (SELECT count(*) FROM calls WHERE \(HoldMatch.conditions(.postgres))) AS calls
            FROM holds h \(includeRemoved ? "" : "WHERE removed_at IS NULL") ORDER BY placed_at, id
            """))
        return try rows.map { row in
            let (id, name, reason, placedBy, placedAt, callIDs, campaign, caller, trackingNumber, since, until,
                 removedAt, removedBy, removalReason, calls) =
                try row.decode((Int64, String, String, String, String, String?, String?, String?, String?, String?, String?,
                                String?, String?, String?, Int64).self)
            var hold = Holds.Hold(name: name, reason: reason, placedBy: placedBy, placedAt: placedAt,
                                  callIDs: try callIDs.map { try Self.ids($0, hold: name) }, campaign: campaign, caller: caller,
                                  trackingNumber: trackingNumber, since: since, until: until)
            hold.id = id
            hold.removedAt = removedAt
            hold.removedBy = removedBy
            hold.removalReason = removalReason
            hold.calls = Int(calls)
            return hold
        }
    }

    /// A hold's `call_ids` (a JSON array of text); unreadable is an error naming the hold.
    private static func ids(_ json: String, hold: String) throws -> [String] {
        guard let ids = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
            throw PostgresIndexError(.statement, "PostgreSQL index: hold \(hold.debugDescription): call_ids is not a JSON array of text: \(json)")
        }
        return ids
    }
}
