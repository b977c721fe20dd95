import CallVaultCore
import Foundation

/// How the index writes a time: `2026-11-28T14:03:00Z` (UTC, whole seconds, sorts as text), and
/// `9999-12-31T23:59:59Z` for any later time (four digits of year). A rule that keeps forever
/// (`Date.distantFuture`) is stored as `4001-01-01T00:00:00Z`, as the first release did.
///
/// Every `Date` of a record goes through here on its way to and from its text column, so the
/// format stays the one the first release wrote (see Tests/Fixtures/first-release).
public enum IndexTime {
    /// The latest time the format can write; anything later is stored as this.
    public static let never = Date(timeIntervalSince1970: 253_402_300_799)

    public static func text(_ date: Date) -> String {
        date >= never ? "9999-12-31T23:59:59Z" : Timestamp.format(date)
    }

    /// The time `text` names; nil when it is not a time with an offset.
    public static func date(_ text: String) -> Date? {
        if let seconds = canonicalSeconds(text) { return Date(timeIntervalSince1970: Double(seconds)) }
        return Timestamp.parseInstant(text)
    }

    /// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` (the form ``text(_:)`` writes) with every field
    /// in range, read byte by byte; nil for anything else, which the general parser then reads.
    /// A search page reads 50 of these per request, where ``Timestamp/parseInstant(_:)`` was 5% of it.
    static func canonicalSeconds(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard utf8.count == 20 else { return nil }
        return utf8.withContiguousStorageIfAvailable { b -> Int? in
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for i in from..<(from + count) {
                    let digit = b[i] &- 48
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A,
                  let y = number(0, 4), let m = number(5, 2), let d = number(8, 2),
                  let h = number(11, 2), let mi = number(14, 2), let s = number(17, 2),
                  (1...12).contains(m), d >= 1, h < 24, mi < 60, s < 60 else { return nil }
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard d <= lengths[m - 1] else { return nil }
            return Timestamp.days(fromCivil: y, m, d) * 86400 + h * 3600 + mi * 60 + s
        } ?? nil
    }

    /// `date` as the index will give it back: whole seconds, at most ``never``.
    public static func stored(_ date: Date) -> Date {
        date >= never ? never : Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
