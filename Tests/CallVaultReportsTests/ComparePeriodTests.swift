import CallVaultCore
import CallVaultReports
import Foundation
import Testing

/// `report compare`'s FROM..TO, read by the CLI and the web page alike.
@Suite("compare periods: FROM..TO")
struct ComparePeriodTests {
    static let newYork = TimeZone(identifier: "America/New_York") ?? .gmt
    static let utc = TimeZone.gmt
    /// 2026-11-28T15:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_878_000)

    @Test("a bare TO is its whole day in the zone: New York's 1 November 2026 (DST ends) lasts 25 hours")
    func wholeDays() throws {
        #expect(Timestamp.format(Self.now) == "2026-11-28T15:00:00Z" && Self.newYork.identifier == "America/New_York")
        let dst = try CompareReport.Period.parse("2026-11-01..2026-11-01", timeZone: Self.newYork, now: Self.now)
        #expect(Timestamp.format(dst.from) == "2026-11-01T04:00:00Z" && Timestamp.format(dst.to) == "2026-11-02T05:00:00Z")
        let november = try CompareReport.Period.parse("2026-11-01..2026-11-30", timeZone: Self.utc, now: Self.now)
        #expect(Timestamp.format(november.from) == "2026-11-01T00:00:00Z" && Timestamp.format(november.to) == "2026-12-01T00:00:00Z")
        // An instant is taken as it is; yesterday (as a TO) runs to today's midnight in the zone.
        let instants = try CompareReport.Period.parse("2026-11-20T10:00:00Z..yesterday", timeZone: Self.newYork, now: Self.now)
        #expect(Timestamp.format(instants.from) == "2026-11-20T10:00:00Z" && Timestamp.format(instants.to) == "2026-11-28T05:00:00Z")
    }

    @Test("what is refused, and the message naming the option or the field", arguments: [
        ("2026-11-20", CompareReport.Period.ParseError.notARange, "--before must be FROM..TO, e.g. 2026-10-01..2026-10-31"),
        ("2026-11-01..2026-11-02..2026-11-03", .notARange, "--before must be FROM..TO, e.g. 2026-10-01..2026-10-31"),
        ("soon..2026-11-22", .notATime("soon"), "--before: \"soon\" is not a date"),
        ("2026-11-01..2026-02-30", .notATime("2026-02-30"), "--before: \"2026-02-30\" is not a date"),
        ("2026-11-22..2026-11-20", .backwards, "--before: FROM must be before TO"),
        ("2026-11-22T10:00:00Z..2026-11-22T10:00:00Z", .backwards, "--before: FROM must be before TO"),
    ])
    func refused(text: String, error: CompareReport.Period.ParseError, message: String) {
        #expect(throws: error) { try CompareReport.Period.parse(text, timeZone: Self.newYork, now: Self.now) }
        #expect(error.message(for: "--before").hasPrefix(message))
    }
}
