import Foundation

/// A web call-back request: a visitor left their number on the website (with the ad parameters
/// the site's cookie kept) and asked to be called back (`callvault web import-callbacks`).
///
/// An outbound call is linked to its request by `callback_request_id`, else to the latest request
/// for the number it dialled made within `callback_window_minutes` before it (see `CallAttribution`).
public struct CallbackRequest: Sendable, Equatable {
    public var line: Int
    public var requestID: String
    /// E.164, read like every other number (`default_country_code`).
    public var phone: String
    public var requestedAt: Date
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    public var utmTerm: String?
    public var utmContent: String?
    public var landingPage: String?
    public var referrer: String?
    public var gclid: String?

    public init(line: Int, requestID: String, phone: String, requestedAt: Date, utmSource: String? = nil, utmMedium: String? = nil,
                utmCampaign: String? = nil, utmTerm: String? = nil, utmContent: String? = nil, landingPage: String? = nil,
                referrer: String? = nil, gclid: String? = nil) {
        self.line = line
        self.requestID = requestID
        self.phone = phone
        self.requestedAt = requestedAt
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.utmTerm = utmTerm
        self.utmContent = utmContent
        self.landingPage = landingPage
        self.referrer = referrer
        self.gclid = gclid
    }

    public static let columns = ["request_id", "phone", "requested_at", "utm_source", "utm_medium", "utm_campaign", "utm_term",
                                 "utm_content", "landing_page", "referrer", "gclid"]

    /// The optional fields by column name, in ``columns`` order.
    public var optionalFields: [(column: String, value: String?)] {
        [("utm_source", utmSource), ("utm_medium", utmMedium), ("utm_campaign", utmCampaign), ("utm_term", utmTerm),
         ("utm_content", utmContent), ("landing_page", landingPage), ("referrer", referrer), ("gclid", gclid)]
    }

    /// Parses a call-back export (CSV or JSON Lines, ``WebLogFile``): each request once, its phone a
    /// phone number, `requested_at` a time (with an offset, or local in `timeZone`).
    public static func parse(text: String, file: String, defaultCountryCode: String,
                             timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> [CallbackRequest] {
        let rows = try WebLogFile.read(text: text, file: file, columns: columns, required: ["request_id", "phone", "requested_at"])
        let reading = NumberReading(countryCode: defaultCountryCode)
        var lineOf: [String: Int] = [:]
        return try rows.map { row in
            let f = row.fields
            func fail(_ field: String, _ reason: String) -> ConfigError { ConfigError(file: file, line: row.line, "\(field): \(reason)") }
            let id = f["request_id"] ?? ""
            guard id.count <= 200 else { throw fail("request_id", "longer than 200 characters") }
            if let first = lineOf[id] { throw fail("request_id", "\(id.debugDescription) is already on line \(first) (one row per request)") }
            lineOf[id] = row.line
            let raw = f["phone"] ?? ""
            guard case .e164(let phone) = reading.read(raw) else { throw fail("phone", "\(raw.debugDescription) is not a phone number") }
            let at = f["requested_at"] ?? ""
            guard let requestedAt = WebLogFile.time(at, timeZone: timeZone) else {
                throw fail("requested_at", "\(at.debugDescription) is not an ISO 8601 time (e.g. 2026-11-28T14:03:00Z)")
            }
            return CallbackRequest(line: row.line, requestID: id, phone: phone, requestedAt: requestedAt, utmSource: f["utm_source"],
                                   utmMedium: f["utm_medium"], utmCampaign: f["utm_campaign"], utmTerm: f["utm_term"],
                                   utmContent: f["utm_content"], landingPage: f["landing_page"], referrer: f["referrer"], gclid: f["gclid"])
        }
    }
}
