import Foundation

/// ISO 8601 parsing and formatting for every place a time is read: sidecars, `--since`/`--until`,
/// registry windows, `--now`. One grammar everywhere:
///
/// ```
/// 2026-11-20T14:00:00Z   2026-11-20T14:00Z   2026-11-20 14:00:00Z   2026-11-20T09:00:00.250-05:00
/// ```
/// Dates are checked against the calendar (`2026-02-30` is refused, not moved to March 2), fields
/// against their ranges, offsets against ±18:00 (the widest ISO 8601 and every time-zone database allow).
public enum Timestamp {
    /// An instant: date, time and an offset or `Z`. A bare local time is ambiguous in an archive.
    public static func parseInstant(_ text: String) -> Date? {
        guard let parts = Parts(text), parts.hasTime, let offset = parts.offsetSeconds else { return nil }
        return parts.date(offsetSeconds: offset)
    }

    /// An instant, or a date (`2026-11-28`, midnight in `timeZone`), or a local time without offset
    /// (`2026-11-28T09:00`, in `timeZone`), or a time relative to `now`: `now`, `today`, `yesterday`
    /// (midnight in `timeZone`), `7d`, `36h`, `90m` (that long before `now`), when `now` is given.
    /// For `--since`/`--until`, registry windows (without `now`) and `--now`.
    public static func parseBoundary(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
                                     now: Date? = nil) -> Date? {
        let t = text.trimmedWhitespace
        if let now, let relative = relative(t.lowercased(), timeZone: timeZone, now: now) { return relative }
        guard let parts = Parts(t) else { return nil }
        if let offset = parts.offsetSeconds { return parts.hasTime ? parts.date(offsetSeconds: offset) : nil }
        // Local wall time in `timeZone`: the offset in force at that moment (found in two steps, so a
        // time just after a daylight-saving change gets the new offset).
        let wall = parts.date(offsetSeconds: 0)
        let guess = wall.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: wall)))
        return wall.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
    }

    /// The end of a period (`--until`, the TO of `compare`'s FROM..TO): as
    /// ``parseBoundary(_:timeZone:now:)``, but a bare date, `today` or `yesterday` means that whole
    /// day, so the next midnight in `timeZone` (25 hours on the day daylight saving ends, not 24).
    public static func parseEndBoundary(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
                                        now: Date? = nil) -> Date? {
        guard let d = parseBoundary(text, timeZone: timeZone, now: now) else { return nil }
        let t = text.trimmedWhitespace.lowercased()
        guard t.count == 10 || t == "today" || t == "yesterday" else { return d }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: .day, value: 1, to: d)
    }

    /// `2026-11-28T14:03:00Z`: UTC, whole seconds; sorts as text in the index.
    public static func format(_ date: Date) -> String {
        let (y, m, d, seconds) = civil(date)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(seconds / 3600, 2) + ":"
            + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2) + "Z"
    }

    /// Zero-padded decimal (`String(format:)` costs microseconds a call on Linux; the registry formats 100,000s).
    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        return value < 0 ? "-" + padded : padded
    }

    /// `2026/11/28` folders of the archive: the UTC date.
    public static func archiveFolder(_ date: Date) -> String {
        let (y, m, d, _) = civil(date)
        return pad(y, 4) + "/" + pad(m, 2) + "/" + pad(d, 2)
    }

    /// The UTC date of `date` and the whole seconds into that day.
    private static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, seconds: Int) {
        let epoch = Int(date.timeIntervalSince1970.rounded(.down))
        let days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400
        let (y, m, d) = civil(fromDays: days)
        return (y, m, d, epoch - days * 86400)
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func relative(_ t: String, timeZone: TimeZone, now: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        switch t {
        case "now": return now
        case "today": return calendar.startOfDay(for: now)
        case "yesterday": return calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now))
        default: break
        }
        guard let unit = t.last, let amount = Int(t.dropLast()), amount >= 0, amount <= 1_000_000 else { return nil }
        switch unit {
        case "d": return calendar.date(byAdding: .day, value: -amount, to: now)
        case "h": return now.addingTimeInterval(-Double(amount) * 3600)
        case "m": return now.addingTimeInterval(-Double(amount) * 60)
        default: return nil
        }
    }

    /// The fields of `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fff]]][Z|±HH[:MM]]`, each checked against its range.
    private struct Parts {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var hasTime = false
        var offsetSeconds: Int?

        init?(_ text: String) {
            let b = Array(text.trimmedWhitespace.utf8)
            guard b.count >= 10, b.count <= 40 else { return nil }
            var i = 0
            func number(_ width: Int) -> Int? {
                guard i + width <= b.count else { return nil }
                var value = 0
                for k in i..<(i + width) {
                    guard b[k] >= 48, b[k] <= 57 else { return nil }
                    value = value * 10 + Int(b[k] - 48)
                }
                i += width
                return value
            }
            func expect(_ c: Character) -> Bool {
                guard i < b.count, b[i] == c.asciiValue! else { return false }
                i += 1
                return true
            }
            guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2) else { return nil }
            guard mo >= 1, mo <= 12, d >= 1, d <= Parts.days(inMonth: mo, year: y) else { return nil }
            (year, month, day) = (y, mo, d)
            if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") {
                i += 1
                guard let h = number(2), expect(":"), let mi = number(2), h <= 23, mi <= 59 else { return nil }
                (hour, minute, hasTime) = (h, mi, true)
                if i < b.count, b[i] == UInt8(ascii: ":") {
                    i += 1
                    guard let s = number(2), s <= 59 else { return nil }
                    second = s
                    if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                        i += 1
                        var digits = 0, scale = 1.0, value = 0.0
                        while i < b.count, b[i] >= 48, b[i] <= 57 {
                            scale /= 10
                            value += Double(b[i] - 48) * scale
                            digits += 1
                            i += 1
                        }
                        guard digits >= 1, digits <= 9 else { return nil }
                        fraction = value
                    }
                }
                if i < b.count {
                    if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                        i += 1
                        offsetSeconds = 0
                    } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                        i += 1
                        guard let oh = number(2) else { return nil }
                        var om = 0
                        if i < b.count {
                            _ = expect(":")
                            guard let m = number(2) else { return nil }
                            om = m
                        }
                        guard om <= 59, oh * 60 + om <= 18 * 60 else { return nil }
                        offsetSeconds = sign * (oh * 3600 + om * 60)
                    }
                }
            }
            guard i == b.count else { return nil }
        }

        func date(offsetSeconds: Int) -> Date {
            let seconds = Parts.daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }

        static func days(inMonth month: Int, year: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }

        static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int { Timestamp.days(fromCivil: y, m, d) }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    public static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
