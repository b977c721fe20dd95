import CallVaultCore
import Foundation

/// One question attribution asks the index: a registry row, a pool session or a call-back
/// request. Its SQL is one text for both backends (PostgreSQL numbers the `?` placeholders and
/// sorts NULL last, as SQLite does in a descending order), and every column it reads is text.
public enum AttributionLookup: Sendable, Equatable {
    /// The tracking number's registry row at `at`.
    case registry(number: String, at: String)
    /// The most recently seen session that showed `poolNumber` and was active at `at`.
    case session(poolNumber: String, at: String, lastSeenFrom: String)
    /// The call-back request the switch named.
    case requestByID(String)
    /// The latest request for `phone` made in the window before `at`.
    case requestByPhone(String, at: String, requestedFrom: String)

    /// The statement and its values, for `dialect`.
    public func sql(_ dialect: HoldMatch.Dialect) -> (sql: String, values: [String]) {
        switch self {
        case .registry(let number, let at):
            let nullsLast = dialect == .postgres ? " NULLS LAST" : ""
            return ("""
                SELECT CAST(id AS TEXT) AS id, campaign, source, medium, pool FROM registry
                WHERE tracking_number = ? AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR ? < valid_to)
                ORDER BY valid_from DESC\(nullsLast) LIMIT 1
                """, [number, at, at])
        case .session(let pool, let at, let from):
            return ("""
                SELECT session_id, utm_source, utm_medium, utm_campaign, utm_term, utm_content, keyword, landing_page, gclid
                FROM web_sessions WHERE pool_number = ? AND first_seen <= ? AND last_seen >= ?
                ORDER BY last_seen DESC, session_id DESC LIMIT 1
                """, [pool, at, from])
        case .requestByID(let id):
            return ("\(Self.requestColumns) WHERE request_id = ?", [id])
        case .requestByPhone(let phone, let at, let from):
            return ("""
                \(Self.requestColumns) WHERE phone = ? AND requested_at <= ? AND requested_at >= ?
                ORDER BY requested_at DESC, request_id DESC LIMIT 1
                """, [phone, at, from])
        }
    }

    static let requestColumns = """
        SELECT request_id, utm_source, utm_medium, utm_campaign, utm_term, utm_content, landing_page, gclid FROM callback_requests
        """
}

extension CallAttributor {
    /// A row a lookup found, by column name (NULL as nil).
    public typealias Fields = [String: String?]

    /// The rules applied to one call, a lookup at a time: ask ``pending`` of the index, give the
    /// row (or nil) to ``answer(_:)``, until nothing is pending; ``result`` is then the call's
    /// attribution. Each backend runs the loop with its own connection (SQLite inside its write,
    /// PostgreSQL inside its transaction), so the rules are written once.
    ///
    /// ```swift
    /// var r = CallAttributor.Resolution(facts, windows: windows)
    /// while let lookup = r.pending { r.answer(try fetch(lookup)) }
    /// ```
    public struct Resolution: Sendable {
        public let facts: Facts
        let windows: AttributionWindows
        public private(set) var pending: AttributionLookup?
        public private(set) var result = Result(registryID: nil, campaign: nil, source: nil, medium: nil, attribution: .none)

        public init(_ facts: Facts, windows: AttributionWindows) {
            self.facts = facts
            self.windows = windows
            if facts.direction == .outbound {
                pending = facts.callbackRequestID.map(AttributionLookup.requestByID) ?? requestByPhone()
            } else {
                pending = .registry(number: facts.trackingNumber, at: facts.startedAt)
            }
        }

        /// Takes the row `pending` found (nil: none) and moves to the next lookup, if any.
        public mutating func answer(_ row: Fields?) {
            guard let asked = pending else { return }
            pending = nil
            func text(_ key: String) -> String? { row?[key] ?? nil }
            switch asked {
            case .registry:
                guard row != nil else { return }
                result = Result(registryID: text("id").flatMap { Int64($0) }, campaign: text("campaign"), source: text("source"),
                                medium: text("medium"), attribution: .number)
                if text("pool") != nil {
                    result.attribution = CallAttribution(method: .poolFallback)
                    let earliest = started.addingTimeInterval(-Double(windows.poolSessionTimeoutMinutes) * 60)
                    pending = .session(poolNumber: facts.trackingNumber, at: facts.startedAt, lastSeenFrom: IndexTime.text(earliest))
                }
            case .session:
                guard row != nil else { return }
                let term = text("utm_term")
                let a = CallAttribution(method: .poolSession, sessionID: text("session_id"), utmSource: text("utm_source"),
                                        utmMedium: text("utm_medium"), utmCampaign: text("utm_campaign"), utmTerm: term,
                                        utmContent: text("utm_content"), keyword: text("keyword") ?? term,
                                        landingPage: text("landing_page"), gclid: text("gclid"))
                result = Result(registryID: result.registryID, campaign: a.utmCampaign ?? result.campaign,
                                source: a.utmSource ?? result.source, medium: a.utmMedium ?? result.medium, attribution: a)
            case .requestByID, .requestByPhone:
                guard row != nil else {
                    if case .requestByID = asked { pending = requestByPhone() }
                    return
                }
                let a = CallAttribution(method: .callback, requestID: text("request_id"), utmSource: text("utm_source"),
                                        utmMedium: text("utm_medium"), utmCampaign: text("utm_campaign"), utmTerm: text("utm_term"),
                                        utmContent: text("utm_content"), keyword: text("utm_term"),
                                        landingPage: text("landing_page"), gclid: text("gclid"))
                result = Result(registryID: nil, campaign: a.utmCampaign, source: a.utmSource, medium: a.utmMedium, attribution: a)
            }
        }

        private var started: Date { IndexTime.date(facts.startedAt) ?? Date(timeIntervalSince1970: 0) }

        private func requestByPhone() -> AttributionLookup? {
            guard let callee = facts.callee else { return nil }
            let earliest = started.addingTimeInterval(-Double(windows.callbackWindowMinutes) * 60)
            return .requestByPhone(callee, at: facts.startedAt, requestedFrom: IndexTime.text(earliest))
        }
    }
}
