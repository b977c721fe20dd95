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
    struct Facts {
        var trackingNumber: String
        var startedAt: String
        var direction: Sidecar.Direction
        var callee: String?
        var callbackRequestID: String?
    }

    /// What the rules set on a call.
    struct Result: Equatable {
        var registryID: Int64?
        var campaign: String?
        var source: String?
        var medium: String?
        var attribution: CallAttribution
    }

    /// Ingest step: sets the record's registry fields and `attribution`, inside the ingest
    /// transaction (so an import committed just before is seen).
    public static func link(_ record: inout CallRecord, windows: AttributionWindows, _ db: Database) throws {
        let facts = Facts(trackingNumber: record.trackingNumber, startedAt: IndexTime.text(record.startedAt), direction: record.direction,
                          callee: record.callee, callbackRequestID: record.callbackRequestID)
        let r = try resolve(facts, windows: windows, db)
        record.attribution = CallRecord.Attribution(campaign: r.campaign, source: r.source, medium: r.medium, registryID: r.registryID)
        record.callAttribution = r.attribution
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

    static func resolve(_ call: Facts, windows: AttributionWindows, _ db: Database) throws -> Result {
        if call.direction == .outbound { return try callback(call, windows: windows, db) }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, campaign, source, medium, pool FROM registry
            WHERE tracking_number = ? AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR ? < valid_to)
            ORDER BY valid_from DESC LIMIT 1
            """), arguments: [call.trackingNumber, call.startedAt, call.startedAt]) else {
            return Result(registryID: nil, campaign: nil, source: nil, medium: nil, attribution: CallAttribution.none)
        }
        let registryID: Int64 = row["id"]
        let campaign: String? = row["campaign"], source: String? = row["source"], medium: String? = row["medium"]
        let pool: String? = row["pool"]
        guard pool != nil else {
            return Result(registryID: registryID, campaign: campaign, source: source, medium: medium, attribution: .number)
        }
        let started = IndexTime.date(call.startedAt) ?? Date(timeIntervalSince1970: 0)
        let earliestLastSeen = IndexTime.text(started.addingTimeInterval(-Double(windows.poolSessionTimeoutMinutes) * 60))
        guard let s = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM web_sessions
            WHERE pool_number = ? AND first_seen <= ? AND last_seen >= ?
            ORDER BY last_seen DESC, session_id DESC LIMIT 1
            """), arguments: [call.trackingNumber, call.startedAt, earliestLastSeen]) else {
            return Result(registryID: registryID, campaign: campaign, source: source, medium: medium,
                          attribution: CallAttribution(method: .poolFallback))
        }
        let keyword: String? = s["keyword"], term: String? = s["utm_term"]
        let a = CallAttribution(method: .poolSession, sessionID: s["session_id"], utmSource: s["utm_source"], utmMedium: s["utm_medium"],
                                utmCampaign: s["utm_campaign"], utmTerm: term, utmContent: s["utm_content"],
                                keyword: keyword ?? term, landingPage: s["landing_page"], gclid: s["gclid"])
        return Result(registryID: registryID, campaign: a.utmCampaign ?? campaign, source: a.utmSource ?? source,
                      medium: a.utmMedium ?? medium, attribution: a)
    }

    static func callback(_ call: Facts, windows: AttributionWindows, _ db: Database) throws -> Result {
        var request: Row?
        if let id = call.callbackRequestID {
            request = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM callback_requests WHERE request_id = ?"), arguments: [id])
        }
        if request == nil, let callee = call.callee {
            let started = IndexTime.date(call.startedAt) ?? Date(timeIntervalSince1970: 0)
            let earliest = IndexTime.text(started.addingTimeInterval(-Double(windows.callbackWindowMinutes) * 60))
            request = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM callback_requests WHERE phone = ? AND requested_at <= ? AND requested_at >= ?
                ORDER BY requested_at DESC, request_id DESC LIMIT 1
                """), arguments: [callee, call.startedAt, earliest])
        }
        guard let r = request else { return Result(registryID: nil, campaign: nil, source: nil, medium: nil, attribution: CallAttribution.none) }
        let a = CallAttribution(method: .callback, requestID: r["request_id"], utmSource: r["utm_source"], utmMedium: r["utm_medium"],
                                utmCampaign: r["utm_campaign"], utmTerm: r["utm_term"], utmContent: r["utm_content"],
                                keyword: r["utm_term"], landingPage: r["landing_page"], gclid: r["gclid"])
        return Result(registryID: nil, campaign: a.utmCampaign, source: a.utmSource, medium: a.utmMedium, attribution: a)
    }
}
