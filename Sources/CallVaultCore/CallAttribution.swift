import Foundation

/// How a call was attributed to the marketing that brought it: the `attribution` object of `show`,
/// `query --format json` and the API, kept in the index (`calls.attribution`).
///
/// - `number`: the tracking number's registry row (one number per ad medium);
/// - `pool-session`: a pool number, and the web session that showed it when the call came;
/// - `pool-fallback`: a pool number that no session was showing then (the pool row's campaign);
/// - `callback`: an outbound call-back to a visitor who left their number on the website;
/// - `none`: nothing attributes the call.
///
/// The utm fields, `keyword`, `landing_page` and `gclid` come from the web log (the session or
/// the call-back request) and are null for the other methods: the registry's campaign, source and
/// medium stay in the record's own `campaign`, `source`, `medium`.
///
/// ```json
/// {"method": "pool-session", "session_id": "s-1", "request_id": null, "utm_source": "google",
///  "utm_medium": "cpc", "utm_campaign": "winter", "utm_term": "plumber", "utm_content": null,
///  "keyword": "emergency plumber", "landing_page": "/boilers", "gclid": "Cj0KCQ"}
/// ```
public struct CallAttribution: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        case number
        case poolSession = "pool-session"
        case poolFallback = "pool-fallback"
        case callback
        case none
    }

    public var method: Method
    public var sessionID: String?
    public var requestID: String?
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    public var utmTerm: String?
    public var utmContent: String?
    public var keyword: String?
    public var landingPage: String?
    public var gclid: String?

    public init(method: Method, sessionID: String? = nil, requestID: String? = nil, utmSource: String? = nil, utmMedium: String? = nil,
                utmCampaign: String? = nil, utmTerm: String? = nil, utmContent: String? = nil, keyword: String? = nil,
                landingPage: String? = nil, gclid: String? = nil) {
        self.method = method
        self.sessionID = sessionID
        self.requestID = requestID
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.utmTerm = utmTerm
        self.utmContent = utmContent
        self.keyword = keyword
        self.landingPage = landingPage
        self.gclid = gclid
    }

    public static let none = CallAttribution(method: .none)
    public static let number = CallAttribution(method: .number)

    enum CodingKeys: String, CodingKey {
        case method
        case sessionID = "session_id", requestID = "request_id"
        case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign", utmTerm = "utm_term"
        case utmContent = "utm_content", keyword
        case landingPage = "landing_page", gclid
    }

    /// The keys an attribution object always has, in order (a report column, a JSON path).
    public static let fieldNames = ["method", "session_id", "request_id", "utm_source", "utm_medium", "utm_campaign", "utm_term",
                                    "utm_content", "keyword", "landing_page", "gclid"]

    /// Every key always written (null when empty), so every record's object has the same keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(utmSource, forKey: .utmSource)
        try c.encode(utmMedium, forKey: .utmMedium)
        try c.encode(utmCampaign, forKey: .utmCampaign)
        try c.encode(utmTerm, forKey: .utmTerm)
        try c.encode(utmContent, forKey: .utmContent)
        try c.encode(keyword, forKey: .keyword)
        try c.encode(landingPage, forKey: .landingPage)
        try c.encode(gclid, forKey: .gclid)
    }

    /// The value of one of ``fieldNames``.
    public func value(_ field: String) -> String? {
        switch field {
        case "method": method.rawValue
        case "session_id": sessionID
        case "request_id": requestID
        case "utm_source": utmSource
        case "utm_medium": utmMedium
        case "utm_campaign": utmCampaign
        case "utm_term": utmTerm
        case "utm_content": utmContent
        case "keyword": keyword
        case "landing_page": landingPage
        case "gclid": gclid
        default: nil
        }
    }
}

/// The two windows of web attribution, from the config (`callback_window_minutes`,
/// `pool_session_timeout_minutes`; defaults in `Settings.Defaults`).
public struct AttributionWindows: Sendable, Equatable {
    /// An outbound call is a call-back to the latest request for its callee made at most this long before it.
    public var callbackWindowMinutes: Int
    /// A pool session still owns its number this long after it was last seen.
    public var poolSessionTimeoutMinutes: Int

    public init(callbackWindowMinutes: Int, poolSessionTimeoutMinutes: Int) {
        self.callbackWindowMinutes = callbackWindowMinutes
        self.poolSessionTimeoutMinutes = poolSessionTimeoutMinutes
    }
}
