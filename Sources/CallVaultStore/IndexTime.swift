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
    public static func date(_ text: String) -> Date? { Timestamp.parseInstant(text) }

    /// `date` as the index will give it back: whole seconds, at most ``never``.
    public static func stored(_ date: Date) -> Date {
        date >= never ? never : Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
