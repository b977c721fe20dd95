import CallVaultCore
import Foundation
import GRDB

/// Legal holds: named, with a reason, who placed them and when; each covers the calls its
/// selectors match (ids, campaign, caller, tracking number, time range, all that are given).
/// Holds are evaluated when retention runs, so calls that arrive later and match are held too.
public struct Holds: Sendable {
    public let index: CallIndex

    public init(index: CallIndex) { self.index = index }

    public struct Hold: Codable, Sendable, Equatable, FetchableRecord {
        public var id: Int64?
        public var name: String
        public var reason: String
        public var placedBy: String
        public var placedAt: String
        public var callIDs: [String]?
        public var campaign: String?
        public var caller: String?
        public var trackingNumber: String?
        public var since: String?
        public var until: String?
        public var removedAt: String?
        public var removedBy: String?
        public var removalReason: String?
        /// Calls it covers now (computed when listing).
        public var calls: Int?

        enum CodingKeys: String, CodingKey {
            case id, name, reason
            case placedBy = "placed_by", placedAt = "placed_at", callIDs = "call_ids"
            case campaign, caller
            case trackingNumber = "tracking_number"
            case since, until
            case removedAt = "removed_at", removedBy = "removed_by", removalReason = "removal_reason"
            case calls
        }

        public init(name: String, reason: String, placedBy: String, placedAt: String, callIDs: [String]? = nil,
                    campaign: String? = nil, caller: String? = nil, trackingNumber: String? = nil,
                    since: String? = nil, until: String? = nil) {
            self.name = name
            self.reason = reason
            self.placedBy = placedBy
            self.placedAt = placedAt
            self.callIDs = callIDs
            self.campaign = campaign
            self.caller = caller
            self.trackingNumber = trackingNumber
            self.since = since
            self.until = until
        }

        public var selectors: [String: String] {
            var s: [String: String] = [:]
            if let callIDs { s["ids"] = callIDs.joined(separator: " ") }
            if let campaign { s["campaign"] = campaign }
            if let caller { s["caller"] = caller }
            if let trackingNumber { s["tracking_number"] = trackingNumber }
            if let since { s["since"] = since }
            if let until { s["until"] = until }
            return s
        }
    }

    /// SQL that is true for a `calls` row when a hold chosen by `holds` (a condition on `h`) covers it.
    static func covered(by holds: String) -> String { HoldMatch.covered(by: holds, .sqlite) }

    /// SQL that is true for a `calls` row (alias `calls`) under at least one active hold.
    public static let heldCondition = HoldMatch.held(.sqlite)

    public enum HoldError: Error, CustomStringConvertible {
        case noSelector, duplicate(String), notFound(String)
        public var description: String {
            switch self {
            case .noSelector: "a hold needs at least one of --id, --campaign, --caller, --tracking-number, --since, --until"
            case .duplicate(let n): "an active hold named \(n.debugDescription) already exists"
            case .notFound(let n): "no active hold named \(n.debugDescription)"
            }
        }
    }

    /// What placing a hold did: the calls this hold (not the union of all holds) covers now, and
    /// selectors that name nothing the index knows.
    public struct Added: Sendable, Equatable {
        /// Archive ids this hold covers now, sorted.
        public var covered: [String]
        /// `--id` values that match no call in the index.
        public var unknownIDs: [String] = []
        /// The campaign, when neither a call nor the registry has it.
        public var unknownCampaign: String?

        public init(covered: [String], unknownIDs: [String] = [], unknownCampaign: String? = nil) {
            self.covered = covered
            self.unknownIDs = unknownIDs
            self.unknownCampaign = unknownCampaign
        }
    }

    /// Places `hold`. Its `hold_added` audit entry lists exactly the calls this hold covers (and
    /// says `covered_now: 0` when it covers none). Ids and a campaign the index does not know are
    /// returned and recorded in the entry's details (`unknown_ids`, `unknown_campaign`) but not
    /// refused: a hold may name a call or campaign that has not arrived yet. `warnings` found by
    /// the caller (e.g. an invalid number) go into the details too.
    public func add(_ hold: Hold, warnings: [String] = []) throws -> Added {
        guard !hold.selectors.isEmpty else { throw HoldError.noSelector }
        return try index.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM holds WHERE name = ? AND removed_at IS NULL", arguments: [hold.name])! > 0 {
                throw HoldError.duplicate(hold.name)
            }
            try db.execute(sql: """
                INSERT INTO holds (name, reason, placed_by, placed_at, call_ids, campaign, caller, tracking_number, since, until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [hold.name, hold.reason, hold.placedBy, hold.placedAt, hold.callIDs.map { AuditLog.json($0) },
                                 hold.campaign, hold.caller, hold.trackingNumber, hold.since, hold.until])
            let holdID = db.lastInsertedRowID
            var added = Added(covered: try String.fetchAll(db, sql: "SELECT id FROM calls WHERE \(Self.covered(by: "h.id = ?")) ORDER BY id",
                                                           arguments: [holdID]))
            for id in hold.callIDs ?? [] {
                let known = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM calls WHERE id = ?)", arguments: [id]) ?? false
                if !known { added.unknownIDs.append(id) }
            }
            if let campaign = hold.campaign {
                let known = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM calls WHERE campaign = ?) OR EXISTS (SELECT 1 FROM registry WHERE campaign = ?)
                    """, arguments: [campaign, campaign]) ?? false
                if !known { added.unknownCampaign = campaign }
            }
            try AuditLog.append(db, action: "hold_added", ids: added.covered, reason: hold.reason,
                                details: Self.addedDetails(hold, added, warnings: warnings))
            return added
        }
    }

    /// The details of a `hold_added` entry, on either backend: the selectors, who placed it, how
    /// many calls it covers now, and what named nothing the index knows.
    public static func addedDetails(_ hold: Hold, _ added: Added, warnings: [String]) -> [String: String] {
        var details = hold.selectors
        details["name"] = hold.name
        details["placed_by"] = hold.placedBy
        details["covered_now"] = "\(added.covered.count)"
        if !added.unknownIDs.isEmpty { details["unknown_ids"] = added.unknownIDs.joined(separator: " ") }
        if let campaign = added.unknownCampaign { details["unknown_campaign"] = campaign }
        if !warnings.isEmpty { details["warnings"] = warnings.joined(separator: "; ") }
        return details
    }

    public func remove(name: String, by: String, reason: String, now: Date) throws -> Int {
        try index.pool.write { db in
            // By id, so the entry lists the released calls in the same order on every backend.
            let covered = try String.fetchAll(db, sql: "SELECT id FROM calls WHERE \(Self.heldCondition) ORDER BY id")
            try db.execute(sql: "UPDATE holds SET removed_at = ?, removed_by = ?, removal_reason = ? WHERE name = ? AND removed_at IS NULL",
                           arguments: [Timestamp.format(now), by, reason, name])
            guard db.changesCount == 1 else { throw HoldError.notFound(name) }
            let still = Set(try String.fetchAll(db, sql: "SELECT id FROM calls WHERE \(Self.heldCondition)"))
            let released = covered.filter { !still.contains($0) }
            try AuditLog.append(db, action: "hold_removed", ids: released, reason: reason, details: ["name": name, "removed_by": by])
            return released.count
        }
    }

    public func list(includeRemoved: Bool) throws -> [Hold] {
        try index.pool.read { db in
            var holds = try Hold.fetchAll(db, sql: "SELECT *, NULL AS calls FROM holds \(includeRemoved ? "" : "WHERE removed_at IS NULL") ORDER BY placed_at, id")
            for i in holds.indices {
                holds[i].calls = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE \(Self.covered(by: "h.id = ?"))",
                                                  arguments: [holds[i].id])
            }
            return holds
        }
    }
}
