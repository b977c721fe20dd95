@testable import CallVaultReports
import Foundation
import Testing

@Suite("Report clock and buckets")
struct ClockTests {
    @Test("fast UTC parsing agrees with Foundation", arguments: ["1970-01-01T00:00:00Z", "2026-11-28T14:03:09Z", "2000-02-29T23:59:59Z", "2100-03-01T00:00:00Z"])
    func epoch(_ text: String) {
        let f = ISO8601DateFormatter()
        #expect(Clock.epoch(text) == Int(f.date(from: text)!.timeIntervalSince1970))
    }

    @Test("days, hours and ISO weekdays from local seconds")
    func buckets() {
        let t = Clock.epoch("2026-11-28T14:03:09Z")
        #expect(Clock.day(t) == "2026-11-28")
        #expect(Clock.hourOfDay(t) == 14)
        #expect(Clock.weekday(t) == 5) // Saturday
        #expect(Clock.weekStart(t) == "2026-11-23")
        #expect(Clock.day(-1) == "1969-12-31")
    }

    @Test("local time follows the zone's offset, daylight saving included")
    func zones() {
        var ny = Clock(zone: TimeZone(identifier: "America/New_York")!)
        #expect(Clock.hourOfDay(ny.local(Clock.epoch("2026-11-28T14:00:00Z"))) == 9)   // EST, UTC-5
        #expect(Clock.hourOfDay(ny.local(Clock.epoch("2026-07-01T14:00:00Z"))) == 10)  // EDT, UTC-4
        #expect(Clock.day(ny.local(Clock.epoch("2026-11-28T03:00:00Z"))) == "2026-11-27")
    }
}
