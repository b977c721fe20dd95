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

    @Test("the hour repeated when clocks go back is recognised with either offset, and no other hour")
    func repeatedHour() {
        let ny = Clock(zone: TimeZone(identifier: "America/New_York")!)
        let one = Clock.epoch("2026-11-01T01:00:00Z")  // local 01:00 on the day clocks go back, as local seconds
        #expect(ny.isRepeated(localHourStart: one, offset: -4 * 3600))
        #expect(ny.isRepeated(localHourStart: one, offset: -5 * 3600))
        #expect(!ny.isRepeated(localHourStart: one + 3600, offset: -5 * 3600))
        #expect(!ny.isRepeated(localHourStart: one - 3600, offset: -4 * 3600))
        #expect(!ny.isRepeated(localHourStart: Clock.epoch("2026-03-08T03:00:00Z"), offset: -4 * 3600))
        let kathmandu = Clock(zone: TimeZone(identifier: "Asia/Kathmandu")!)
        #expect(!kathmandu.isRepeated(localHourStart: one, offset: 5 * 3600 + 45 * 60))
        #expect(Clock.offsetName(-4 * 3600) == "UTC-04:00")
        #expect(Clock.offsetName(5 * 3600 + 45 * 60) == "UTC+05:45")
    }
}
