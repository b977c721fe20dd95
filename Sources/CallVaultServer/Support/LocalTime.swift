import Foundation

/// A call's time as the pages show it: in the reader's zone, named, and in UTC beside it.
///
/// The zone is `[serve] time_zone` unless the request names one (`tz`, the calls form's field);
/// the server process's own `TZ` plays no part, since it says nothing about the people reading.
///
/// ```swift
/// LocalTime(zone: TimeZone(identifier: "America/New_York")!).text(date)   // "2026-11-20 09:00:00 EST"
/// ```
///
/// One is made per request and formats every time on its page with the same formatter: making a
/// `DateFormatter` costs far more than using one (it was half of a 50-call search page's time
/// when each time made its own). A formatter is not shared between requests, so no two threads
/// use it at once.
struct LocalTime {
    let zone: TimeZone
    private let formatter: DateFormatter

    init(zone: TimeZone) {
        self.zone = zone
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = Self.isUTC(zone) ? "yyyy-MM-dd HH:mm:ss 'UTC'" : "yyyy-MM-dd HH:mm:ss zzz"
    }

    /// `yyyy-MM-dd HH:mm:ss` and the zone's abbreviation at that instant (EST or EDT).
    func text(_ date: Date) -> String {
        formatter.string(from: date)
    }

    /// The zone as the pages name it: its IANA identifier (`America/New_York`), and `UTC` for UTC.
    var name: String { Self.isUTC(zone) ? "UTC" : zone.identifier }

    /// Foundation on Linux answers `GMT` for `TimeZone(identifier: "UTC")`; the pages say UTC, as
    /// the configuration did (`time_zone = "UTC"`, the default).
    private static func isUTC(_ zone: TimeZone) -> Bool { ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) }
}
