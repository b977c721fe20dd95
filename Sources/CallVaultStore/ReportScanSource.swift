import CallVaultCore
import Foundation

/// What a report reads when it scans the calls, for an index that keeps no report aggregates
/// (PostgreSQL's): the matching calls' facts, each caller's first call, and the rows the listing
/// reports (missed, dead air, call-backs) and the caller directory give. CallVaultReports
/// accumulates them with the same Swift as its SQLite scan, so both backends print the same
/// numbers; SQLite's own reads stay where they are (beside its aggregates) and do not go
/// through this.
///
/// Every call filter is ``CallQuery/conditions()``'s (campaigns, since, until); its limit and
/// offset are not a report's and are ignored.
public protocol ReportScanSource: Sendable {
    /// Each call `query` matches, in no particular order (reports sort their own output).
    /// `attributionField`: a field of the call's `attribution` JSON read into
    /// ``ReportCallRow/dimension`` (`utm_source`, `keyword`, `method`…); `keywords`: when not
    /// empty, only calls whose attribution's `keyword` is one of them.
    func forEachCall(_ query: CallQuery, attributionField: String?, keywords: [String], _ body: (ReportCallRow) throws -> Void) throws

    /// Each caller's first call in the whole index (caller ▶ archive id): the earliest
    /// `started_at`, of two in one second the smaller id.
    func firstCallIDs() throws -> [String: String]

    /// Each caller's first call in the whole index (as ``firstCallIDs()``) for every caller whose
    /// first call `query` matches, at least: all a report scanning `query` compares its calls
    /// with (a call is its caller's first or not). The other callers may be left out; by default
    /// they are not (``firstCallIDs()``).
    func firstCallIDs(among query: CallQuery) throws -> [String: String]

    /// The missed and abandoned calls `query` matches, by `started_at` then id, each with the
    /// caller's first answered call after it; `unreturnedOnly`: only those with a caller and no
    /// such call. At most `limit` rows (0: all); ``MissedCalls/more`` says whether more follow
    /// and, without `unreturnedOnly`, ``MissedCalls/total`` how many match in all. `exactScan`:
    /// each missed call checked against the caller's calls, no table kept for the purpose read.
    func missedCalls(_ query: CallQuery, unreturnedOnly: Bool, limit: Int, exactScan: Bool) throws -> MissedCalls

    /// Answered calls `query` matches with `longest_silence_ms` over `thresholdMs` and an inner
    /// silence (not at the start, not reaching the end), by `started_at` then id, each with its
    /// longest inner silence (the first of equal ones).
    func deadAirCalls(_ query: CallQuery, thresholdMs: Int) throws -> [DeadAirCall]

    /// Each web call-back request's outbound calls (request id ▶ the first one's `started_at`,
    /// and whether any was answered).
    func callbackLinks() throws -> [String: CallbackLink]

    /// The call-back requests made in `[since, until)` (nil: unbounded) for these campaigns (all
    /// when empty), as (request id, requested_at); none when the index keeps no requests.
    func callbackRequests(since: Date?, until: Date?, campaigns: [String]) throws -> [(id: String, requestedAt: String)]

    /// The caller directory's entries for these numbers, by number (none when the index keeps no directory).
    func directoryEntries(for numbers: [String]) throws -> [String: CallerDirectoryEntry]
    /// The backend's report aggregates, when it keeps them (nil: every report scans).
    var aggregateStore: (any ReportAggregateStore)? { get }
}

extension ReportScanSource {
    public func firstCallIDs(among query: CallQuery) throws -> [String: String] { try firstCallIDs() }
}

/// The columns of one call a report scan reads.
public struct ReportCallRow: Sendable {
    public var id: String
    public var startedAt: String
    public var outcome: Outcome
    public var caller: String?
    public var talkMs: Int
    public var durationMs: Int
    public var campaign: String?
    public var source: String?
    public var trackingNumber: String
    public var areaCode: String?
    public var region: String?
    public var place: String?
    public var country: String?
    public var medium: String?
    /// The attribution field asked for (``ReportScanSource/forEachCall(_:attributionField:keywords:_:)``), or nil.
    public var dimension: String?
    /// Answered, with an inner silence over 10 s (``DeadAirCounts``).
    public var deadAir: Bool

    public init(id: String, startedAt: String, outcome: Outcome, caller: String?, talkMs: Int, durationMs: Int, campaign: String?,
                source: String?, trackingNumber: String, areaCode: String?, region: String?, place: String?, country: String?,
                medium: String?, dimension: String?, deadAir: Bool = false) {
        self.deadAir = deadAir
        self.id = id
        self.startedAt = startedAt
        self.outcome = outcome
        self.caller = caller
        self.talkMs = talkMs
        self.durationMs = durationMs
        self.campaign = campaign
        self.source = source
        self.trackingNumber = trackingNumber
        self.areaCode = areaCode
        self.region = region
        self.place = place
        self.country = country
        self.medium = medium
        self.dimension = dimension
    }
}

/// A page of `report missed` (``ReportScanSource/missedCalls(_:unreturnedOnly:limit:)``).
public struct MissedCalls: Sendable {
    public struct Call: Sendable {
        public var startedAt: String
        public var id: String
        public var caller: String?
        public var campaign: String?
        public var trackingNumber: String
        public var outcome: String
        public var durationMs: Int
        /// The caller's first answered call after this one, or nil.
        public var answeredAt: String?

        public init(startedAt: String, id: String, caller: String?, campaign: String?, trackingNumber: String, outcome: String,
                    durationMs: Int, answeredAt: String?) {
            self.startedAt = startedAt
            self.id = id
            self.caller = caller
            self.campaign = campaign
            self.trackingNumber = trackingNumber
            self.outcome = outcome
            self.durationMs = durationMs
            self.answeredAt = answeredAt
        }
    }

    public var calls: [Call]
    /// More calls follow the limit.
    public var more: Bool
    /// How many match in all, when ``more`` and not only the unreturned ones.
    public var total: Int?

    public init(calls: [Call], more: Bool, total: Int?) {
        self.calls = calls
        self.more = more
        self.total = total
    }
}

/// An answered call with dead air (``ReportScanSource/deadAirCalls(_:thresholdMs:)``).
public struct DeadAirCall: Sendable {
    public var startedAt: String
    public var id: String
    public var campaign: String?
    public var caller: String?
    public var durationMs: Int
    /// The longest inner silence, and where it starts.
    public var innerMs: Int
    public var atMs: Int

    public init(startedAt: String, id: String, campaign: String?, caller: String?, durationMs: Int, innerMs: Int, atMs: Int) {
        self.startedAt = startedAt
        self.id = id
        self.campaign = campaign
        self.caller = caller
        self.durationMs = durationMs
        self.innerMs = innerMs
        self.atMs = atMs
    }
}

/// A call-back request's outbound calls: the first one's start, and whether any was answered.
public struct CallbackLink: Sendable, Equatable {
    public var firstStartedAt: String
    public var answered: Bool

    public init(firstStartedAt: String, answered: Bool) {
        self.firstStartedAt = firstStartedAt
        self.answered = answered
    }
}
