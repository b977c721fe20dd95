import Foundation

/// A website visit that was shown a number from a pool (dynamic number insertion): while the
/// session is active the number is that visitor's, so a call to it is traced to the session's ad,
/// keyword and landing page (`callvault web import-sessions`).
///
/// A session is active from `first_seen` to `last_seen` + `pool_session_timeout_minutes`, both ends
/// included; of several active sessions on one number, the most recently seen owns the call.
public struct WebSession: Sendable, Equatable {
    public var line: Int
    public var sessionID: String
    /// The pool number shown, E.164.
    public var poolNumber: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    public var utmTerm: String?
    public var utmContent: String?
    public var keyword: String?
    public var landingPage: String?
    public var referrer: String?
    public var gclid: String?

    public init(line: Int, sessionID: String, poolNumber: String, firstSeen: Date, lastSeen: Date, utmSource: String? = nil,
                utmMedium: String? = nil, utmCampaign: String? = nil, utmTerm: String? = nil, utmContent: String? = nil,
                keyword: String? = nil, landingPage: String? = nil, referrer: String? = nil, gclid: String? = nil) {
        self.line = line
        self.sessionID = sessionID
        self.poolNumber = poolNumber
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.utmTerm = utmTerm
        self.utmContent = utmContent
        self.keyword = keyword
        self.landingPage = landingPage
        self.referrer = referrer
        self.gclid = gclid
    }

    public static let columns = ["session_id", "pool_number", "first_seen", "last_seen", "utm_source", "utm_medium", "utm_campaign",
                                 "utm_term", "utm_content", "keyword", "landing_page", "referrer", "gclid"]

    /// The optional fields by column name, in ``columns`` order.
    public var optionalFields: [(column: String, value: String?)] {
        [("utm_source", utmSource), ("utm_medium", utmMedium), ("utm_campaign", utmCampaign), ("utm_term", utmTerm),
         ("utm_content", utmContent), ("keyword", keyword), ("landing_page", landingPage), ("referrer", referrer), ("gclid", gclid)]
    }

    /// Parses a session export (CSV or JSON Lines, ``WebLogFile``): each session once, its pool
    /// number a phone number, `last_seen` not before `first_seen`.
    public static func parse(text: String, file: String, defaultCountryCode: String,
                             timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> [WebSession] {
        let rows = try WebLogFile.read(text: text, file: file, columns: columns,
                                       required: ["session_id", "pool_number", "first_seen", "last_seen"])
        let reading = NumberReading(countryCode: defaultCountryCode)
        var lineOf: [String: Int] = [:]
        return try rows.map { row in
            let f = row.fields
            func fail(_ field: String, _ reason: String) -> ConfigError { ConfigError(file: file, line: row.line, "\(field): \(reason)") }
            let id = f["session_id"] ?? ""
            guard id.count <= 200 else { throw fail("session_id", "longer than 200 characters") }
            if let first = lineOf[id] { throw fail("session_id", "\(id.debugDescription) is already on line \(first) (one row per session)") }
            lineOf[id] = row.line
            let raw = f["pool_number"] ?? ""
            guard case .e164(let number) = reading.read(raw) else { throw fail("pool_number", "\(raw.debugDescription) is not a phone number") }
            func time(_ name: String) throws -> Date {
                let text = f[name] ?? ""
                guard let date = WebLogFile.time(text, timeZone: timeZone) else {
                    throw fail(name, "\(text.debugDescription) is not an ISO 8601 time (e.g. 2026-11-28T14:03:00Z)")
                }
                return date
            }
            let first = try time("first_seen"), last = try time("last_seen")
            guard first <= last else { throw fail("last_seen", "is before first_seen") }
            return WebSession(line: row.line, sessionID: id, poolNumber: number, firstSeen: first, lastSeen: last,
                              utmSource: f["utm_source"], utmMedium: f["utm_medium"], utmCampaign: f["utm_campaign"],
                              utmTerm: f["utm_term"], utmContent: f["utm_content"], keyword: f["keyword"],
                              landingPage: f["landing_page"], referrer: f["referrer"], gclid: f["gclid"])
        }
    }
}
