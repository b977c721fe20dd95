import CallVaultCore
import Foundation
import GRDB

/// One line of a list of calls: the fields the web search page shows, nothing else.
///
/// Read by column position from ``CallQuery/listing(_:)``'s statement (``columns`` is its select
/// list, in this order), so a page of 50 costs 50 short rows, not 50 whole records.
public struct CallListing: Sendable, Hashable {
    public var id: String
    public var startedAt: Date
    /// `startedAt` as ``IndexTime/text(_:)`` writes it: the stored text when it is already in that
    /// form (no formatting per row), else formatted.
    public var startedAtUTC: String
    public var campaign: String?
    public var caller: String?
    public var callerPlace: String?
    public var trackingNumber: String
    public var outcome: Outcome
    public var durationMs: Int
    public var talkMs: Int

    static let columns = "id, started_at, campaign, caller, caller_place, tracking_number, outcome, duration_ms, talk_ms"

    /// The line of a whole record (a backend that reads records, PostgreSQL's).
    public init(record r: CallRecord) {
        id = r.id
        startedAt = r.startedAt
        startedAtUTC = IndexTime.text(r.startedAt)
        campaign = r.campaign
        caller = r.caller
        callerPlace = r.callerPlace
        trackingNumber = r.trackingNumber
        outcome = r.outcome
        durationMs = r.durationMs
        talkMs = r.talkMs
    }

    init(row: Row) throws {
        id = row[0]
        let started: String = row[1]
        if let seconds = IndexTime.canonicalSeconds(started) {
            startedAt = Date(timeIntervalSince1970: Double(seconds))
            startedAtUTC = started
        } else if let date = IndexTime.date(started) {
            startedAt = date
            startedAtUTC = IndexTime.text(date)
        } else {
            throw IndexError(.unusable, "call \(id): started_at \(started.debugDescription) is not a time (expected e.g. 2026-11-28T14:03:00Z)")
        }
        campaign = row[2]
        caller = row[3]
        callerPlace = row[4]
        trackingNumber = row[5]
        outcome = try Outcome.stored(row[6], call: id)
        durationMs = row[7]
        talkMs = row[8]
    }
}
