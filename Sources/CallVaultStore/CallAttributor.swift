import CallVaultCore
import Foundation
import GRDB

/// Attributes calls: the one set of rules, used by the ingest step (one call, before it is
/// inserted) and by every relink (the registry, sessions or call-backs imported after the calls).
///
/// - An outbound call is a call-back: to the request named by its `callback_request_id` when that
///   request is imported, else to the latest request for the number it dialled made at most
///   `callback_window_minutes` before it (both ends included). Its campaign, source and medium are
///   the request's utm fields. No request: `none`.
/// - An inbound call takes its tracking number's registry row at `started_at` (``Registry``). A row
///   without `pool` gives `number`. A pool row gives `pool-session` when a session showed that number
///   and was active at `started_at` (`first_seen` ≤ t ≤ `last_seen` + `pool_session_timeout_minutes`;
///   of several, the most recently seen, then the greatest id), with the session's utm campaign,
///   source and medium over the pool row's; else `pool-fallback`, the pool row's own. No row: `none`.
///
/// `keyword` is the session's `keyword`, else its `utm_term`; a call-back's is the request's `utm_term`.
public enum CallAttributor {
    /// What the rules read of a call.
    public struct Facts: Sendable {
        public var trackingNumber: String
        public var startedAt: String
        public var direction: Sidecar.Direction
        public var callee: String?
        public var callbackRequestID: String?

        public init(trackingNumber: String, startedAt: String, direction: Sidecar.Direction, callee: String?, callbackRequestID: String?) {
            self.trackingNumber = trackingNumber
            self.startedAt = startedAt
            self.direction = direction
            self.callee = callee
            self.callbackRequestID = callbackRequestID
        }

        /// What the rules read of `record` (before it is inserted).
        public init(_ record: CallRecord) {
            self.init(trackingNumber: record.trackingNumber, startedAt: IndexTime.text(record.startedAt), direction: record.direction,
                      callee: record.callee, callbackRequestID: record.callbackRequestID)
        }
    }

    /// What the rules set on a call.
    public struct Result: Sendable, Equatable {
        public var registryID: Int64?
        public var campaign: String?
        public var source: String?
        public var medium: String?
        public var attribution: CallAttribution

        public init(registryID: Int64?, campaign: String?, source: String?, medium: String?, attribution: CallAttribution) {
            self.registryID = registryID
            self.campaign = campaign
            self.source = source
            self.medium = medium
            self.attribution = attribution
        }

        /// Sets `record`'s registry fields and `attribution` to this result.
        public func apply(to record: inout CallRecord) {
            record.attribution = CallRecord.Attribution(campaign: campaign, source: source, medium: medium, registryID: registryID)
            record.callAttribution = attribution
        }
    }

    /// Ingest step: sets the record's registry fields and `attribution`, inside the ingest
    /// transaction (so an import committed just before is seen).
    public static func link(_ record: inout CallRecord, windows: AttributionWindows, _ db: Database) throws {
        try resolve(Facts(record), windows: windows, db).apply(to: &record)
    }

    /// Re-attributes the calls `condition` selects (all when nil) and returns how many changed.
    /// Only changed rows are written, so a relink that changes nothing writes nothing.
    static func relink(_ db: Database, windows: AttributionWindows, condition: String? = nil, arguments: StatementArguments = []) throws -> Int {
        let paths = CallAttribution.fieldNames.map { "json_extract(attribution, '$.\($0)')" }.joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, tracking_number, started_at, direction, callee, callback_request_id, registry_id, campaign, source, medium, \(paths)
            FROM calls \(condition.map { "WHERE \($0)" } ?? "")
            """, arguments: arguments)
        var changed: [(id: String, result: Result)] = []
        // Collected first and written after: no update while the cursor reads the table.
        while let row = try rows.next() {
            let directionText: String? = row[3]
            let direction = directionText.flatMap(Sidecar.Direction.init(rawValue:)) ?? .inbound
            let facts = Facts(trackingNumber: row[1], startedAt: row[2], direction: direction, callee: row[4], callbackRequestID: row[5])
            let result = try resolve(facts, windows: windows, db)
            let fields: [String?] = (0..<CallAttribution.fieldNames.count).map { row[10 + $0] }
            let current = Result(registryID: row[6], campaign: row[7], source: row[8], medium: row[9],
                                 attribution: CallAttribution(method: fields[0].flatMap(CallAttribution.Method.init(rawValue:)) ?? .none,
                                                              sessionID: fields[1], requestID: fields[2], utmSource: fields[3],
                                                              utmMedium: fields[4], utmCampaign: fields[5], utmTerm: fields[6],
                                                              utmContent: fields[7], keyword: fields[8], landingPage: fields[9], gclid: fields[10]))
            let id: String = row[0]
            if current != result || fields[0] == nil { changed.append((id, result)) }
        }
        let update = try db.makeStatement(sql: "UPDATE calls SET registry_id = ?, campaign = ?, source = ?, medium = ?, attribution = ? WHERE id = ?")
        for (id, r) in changed {
            try update.execute(arguments: [r.registryID, r.campaign, r.source, r.medium, try jsonText(r.attribution), id])
        }
        return changed.count
    }

    /// The text a relink stores in `calls.attribution` (a second backend's relink writes the same).
    public static func storedText(_ attribution: CallAttribution) throws -> String { try jsonText(attribution) }

    /// The text stored in `calls.attribution`.
    static func jsonText(_ attribution: CallAttribution) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(attribution), as: UTF8.self)
    }

    /// The rules (``Resolution``) run against the SQLite index.
    static func resolve(_ call: Facts, windows: AttributionWindows, _ db: Database) throws -> Result {
        var resolution = Resolution(call, windows: windows)
        while let lookup = resolution.pending {
            let (sql, values) = lookup.sql(.sqlite)
            let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: StatementArguments(values))
            resolution.answer(row.map { row in Dictionary(row.columnNames.map { ($0, row[$0] as String?) }, uniquingKeysWith: { a, _ in a }) })
        }
        return resolution.result
    }
}
