import CallVaultCore
import Foundation

extension CompareReport.Period {
    /// Why a FROM..TO was refused; ``message(for:)`` names the option or form field.
    public enum ParseError: Error, Sendable, Equatable {
        case notARange
        case notATime(String)
        case backwards

        /// `--before must be FROM..TO, …` on the command line, `before: FROM must be before TO` on the web page.
        public func message(for field: String) -> String {
            switch self {
            case .notARange: "\(field) must be FROM..TO, e.g. 2026-10-01..2026-10-31"
            case .notATime(let text): "\(field): \(text.debugDescription) is not a date, a time or a span (e.g. 2026-11-28, 2026-11-28T14:00:00Z, yesterday or 7d)"
            case .backwards: "\(field): FROM must be before TO"
            }
        }
    }

    /// `report compare`'s `--before`/`--after` and the web page's `before`/`after` fields, read by
    /// one rule so both give the same figures: FROM is a boundary as `--since` reads it, TO as
    /// `--until` (a bare date is the whole day: `2026-11-01..2026-11-01` in America/New_York is the
    /// 25 hours of that day, not 24). Throws a ``ParseError``.
    ///
    /// ```swift
    /// let p = try CompareReport.Period.parse("2026-10-01..2026-10-31", timeZone: zone, now: Date())
    /// ```
    public static func parse(_ text: String, timeZone: TimeZone, now: Date) throws -> Self {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2 else { throw ParseError.notARange }
        guard let from = Timestamp.parseBoundary(parts[0], timeZone: timeZone, now: now) else { throw ParseError.notATime(parts[0]) }
        guard let to = Timestamp.parseEndBoundary(parts[1], timeZone: timeZone, now: now) else { throw ParseError.notATime(parts[1]) }
        guard from < to else { throw ParseError.backwards }
        return Self(from: from, to: to)
    }
}
