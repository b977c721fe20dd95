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
/// One is made per request: the digits are computed directly, the zone's abbreviation asked of a
/// `DateFormatter` once per offset (making a formatter for every time was half of a 50-call search
/// page's time). Nothing in it is shared between requests, so no two threads use it at once.
struct LocalTime {
    let zone: TimeZone
    private let abbreviations: Abbreviations

    init(zone: TimeZone) {
        self.zone = zone
        abbreviations = Abbreviations(zone: zone, utc: Self.isUTC(zone))
    }

    /// `yyyy-MM-dd HH:mm:ss` and the zone's abbreviation at that instant (EST or EDT).
    func text(_ date: Date) -> String {
        let offset = zone.secondsFromGMT(for: date)
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(offset)
        var fields = tm()
        gmtime_r(&seconds, &fields)
        let year = Int(fields.tm_year) + 1900
        guard (1000...9999).contains(year) else {
            func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
            let digits = "\(year)-\(two(fields.tm_mon + 1))-\(two(fields.tm_mday)) "
                + "\(two(fields.tm_hour)):\(two(fields.tm_min)):\(two(fields.tm_sec))"
            return digits + " " + abbreviations.name(offset: offset, date: date)
        }
        // The 19 digits and separators written straight into the string's storage: a page formats
        // fifty of these, and building them from interpolated pieces cost more than the rest of the row.
        let zone = abbreviations.name(offset: offset, date: date)
        return String(unsafeUninitializedCapacity: 20 + zone.utf8.count) { out in
            func put(_ n: Int, _ digits: Int, at i: Int) {
                var n = n
                for k in stride(from: i + digits - 1, through: i, by: -1) { out[k] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 }
            }
            put(year, 4, at: 0); out[4] = UInt8(ascii: "-")
            put(Int(fields.tm_mon) + 1, 2, at: 5); out[7] = UInt8(ascii: "-")
            put(Int(fields.tm_mday), 2, at: 8); out[10] = UInt8(ascii: " ")
            put(Int(fields.tm_hour), 2, at: 11); out[13] = UInt8(ascii: ":")
            put(Int(fields.tm_min), 2, at: 14); out[16] = UInt8(ascii: ":")
            put(Int(fields.tm_sec), 2, at: 17); out[19] = UInt8(ascii: " ")
            var i = 20
            for b in zone.utf8 { out[i] = b; i += 1 }
            return i
        }
    }

    /// The zone's abbreviation as `DateFormatter`'s `zzz` writes it (EST, EDT, GMT+5:30), asked once
    /// per offset: a page's times share one or two offsets, and formatting every time through
    /// ICU was a seventh of a search page's time.
    private final class Abbreviations {
        let formatter: DateFormatter?
        var byOffset: [Int: String] = [:]

        init(zone: TimeZone, utc: Bool) {
            guard !utc else { formatter = nil; return }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = zone
            f.dateFormat = "zzz"
            formatter = f
        }

        func name(offset: Int, date: Date) -> String {
            guard let formatter else { return "UTC" }
            if let known = byOffset[offset] { return known }
            let name = formatter.string(from: date)
            byOffset[offset] = name
            return name
        }
    }

    /// The zone as the pages name it: its IANA identifier (`America/New_York`), and `UTC` for UTC.
    var name: String { Self.isUTC(zone) ? "UTC" : zone.identifier }

    /// Foundation on Linux answers `GMT` for `TimeZone(identifier: "UTC")`; the pages say UTC, as
    /// the configuration did (`time_zone = "UTC"`, the default).
    private static func isUTC(_ zone: TimeZone) -> Bool { ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) }
}
