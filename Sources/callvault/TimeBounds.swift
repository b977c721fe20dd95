import ArgumentParser
import CallVaultCore
import Foundation

/// `--since`/`--until` (and `--now`) parsing shared by every command that filters by time.
///
/// Accepts what ``Timestamp/parseBoundary(_:timeZone:now:)`` accepts: an instant, a date or a local time
/// in `zone`, and `now`, `today`, `yesterday`, `7d`, `36h`, `90m`.
enum TimeBounds {
    static let examples = "e.g. 2026-11-28, 2026-11-28T14:00:00Z, 2026-11-28 09:00, yesterday or 7d"

    static func start(_ text: String, zone: TimeZone, option: String, now: Date = Date()) throws -> Date {
        guard let d = Timestamp.parseBoundary(text, timeZone: zone, now: now) else {
            throw ValidationError("\(option): \(text.debugDescription) is not a date, a time or a span (\(examples))")
        }
        return d
    }

    /// A bare date (or `today`, `yesterday`) means the end of that day (exclusive next midnight).
    static func end(_ text: String, zone: TimeZone, option: String, now: Date = Date()) throws -> Date {
        _ = try start(text, zone: zone, option: option, now: now)
        guard let end = Timestamp.parseEndBoundary(text, timeZone: zone, now: now) else {
            throw ValidationError("\(option): \(text.debugDescription) has no end of day in \(zone.identifier)")
        }
        return end
    }
}
