@testable import CallVaultServer
import Foundation
import Testing

@Suite("Local times on the pages")
struct LocalTimeTests {
    /// What the pages showed before the digits were computed directly: a formatter per time.
    func reference(_ date: Date, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        let utc = ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier)
        f.dateFormat = utc ? "yyyy-MM-dd HH:mm:ss 'UTC'" : "yyyy-MM-dd HH:mm:ss zzz"
        return f.string(from: date)
    }

    @Test("the same text as DateFormatter, across DST changes and half- and quarter-hour offsets",
          arguments: ["America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC", "Europe/London", "Australia/Lord_Howe"])
    func sameAsFormatter(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let local = LocalTime(zone: zone)
        // Every 4 hours 20 minutes and 31 seconds over 2025 and 2026 (every hour of the day comes
        // round, odd seconds), then every 10 minutes over the days of the DST changes; plus
        // instants with a fraction of a second.
        var t = 1_735_689_600.0  // 2025-01-01T00:00:00Z
        var checked = 0
        while t < 1_798_761_600 {
            let date = Date(timeIntervalSince1970: t)
            #expect(local.text(date) == reference(date, zone), "\(identifier) at \(t)")
            let fraction = Date(timeIntervalSince1970: t + 0.75)
            #expect(local.text(fraction) == reference(fraction, zone), "\(identifier) at \(t + 0.75)")
            t += 15_631
            checked += 1
        }
        let changes: [Double] = [1_741_496_400, 1_762_056_000, 1_743_296_400, 1_761_440_400, 1_743_872_400, 1_759_593_600]
        for change in changes {
            for step in -72...72 {
                let date = Date(timeIntervalSince1970: change + Double(step * 600))
                #expect(local.text(date) == reference(date, zone), "\(identifier) at \(date)")
                checked += 1
            }
        }
        #expect(checked > 4_500)
        let fall = try #require(ISO8601DateFormatter().date(from: "2026-11-01T05:30:00Z"))
        if identifier == "America/New_York" {
            #expect(local.text(fall) == "2026-11-01 01:30:00 EDT")
            #expect(local.text(fall.addingTimeInterval(3600)) == "2026-11-01 01:30:00 EST")
        }
        if identifier == "UTC" { #expect(local.text(fall) == "2026-11-01 05:30:00 UTC") }
    }
}
