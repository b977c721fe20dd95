import Foundation

/// A call's time as the pages show it: in the reader's zone, named, and in UTC beside it.
///
/// The zone is `[serve] time_zone` unless the request names one (`tz`, the calls form's field);
/// the server process's own `TZ` plays no part, since it says nothing about the people reading.
///
/// ```swift
/// LocalTime(zone: TimeZone(identifier: "America/New_York")!).text(date)   // "2026-11-20 09:00:00 EST"
/// ```
struct LocalTime {
    let zone: TimeZone

    /// `yyyy-MM-dd HH:mm:ss` and the zone's abbreviation at that instant (EST or EDT).
    func text(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = isUTC ? "yyyy-MM-dd HH:mm:ss 'UTC'" : "yyyy-MM-dd HH:mm:ss zzz"
        return f.string(from: date)
    }

    /// The zone as the pages name it: its IANA identifier (`America/New_York`), and `UTC` for UTC.
    var name: String { isUTC ? "UTC" : zone.identifier }

    /// Foundation on Linux answers `GMT` for `TimeZone(identifier: "UTC")`; the pages say UTC, as
    /// the configuration did (`time_zone = "UTC"`, the default).
    private var isUTC: Bool { ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) }
}
