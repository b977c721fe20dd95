import Foundation

/// ISO 8601 parsing and formatting for the places users type times.
public enum Timestamp {
    /// Parses `2026-11-28T14:03:00Z`, `2026-11-28T09:03:00-05:00`, with or without fractional seconds.
    /// An offset or `Z` is required: a bare local time is ambiguous in an archive.
    public static func parseInstant(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.count >= 20, t.count <= 40 else { return nil }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let f = ISO8601DateFormatter()
            f.formatOptions = options
            if let d = f.date(from: t) { return d }
        }
        return nil
    }

    /// Parses an instant, or a date (`2026-11-28`, midnight in `timeZone`), or a local timestamp
    /// without offset (`2026-11-28T09:00`, in `timeZone`). For `--since`/`--until` and registry windows.
    public static func parseBoundary(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        if let d = parseInstant(text) { return d }
        let t = text.trimmingCharacters(in: .whitespaces)
        for format in ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = timeZone
            f.dateFormat = format
            if let d = f.date(from: t), f.string(from: d) == t { return d }
        }
        return nil
    }

    /// `2026-11-28T14:03:00Z`: UTC, whole seconds; sorts as text in the index.
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// `2026/11/28` folders of the archive: the UTC date.
    public static func archiveFolder(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d/%02d/%02d", c.year!, c.month!, c.day!)
    }
}
