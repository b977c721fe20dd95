/// A phone number as callvault stores it: E.164 when it can be normalised, else kept as written and flagged.
///
/// ```swift
/// PhoneNumber.normalise("(415) 555-0123")      // .e164("+14155550123")
/// PhoneNumber.normalise("+44 20 7946 0958")    // .e164("+442079460958")
/// PhoneNumber.normalise("anonymous")           // .withheld
/// PhoneNumber.normalise("call me")             // .unparseable("call me")
/// ```
public enum PhoneNumber: Sendable, Hashable {
    /// A valid number in E.164.
    case e164(String)
    /// No number: anonymous, private, unknown, restricted or empty.
    case withheld
    /// Could not be normalised; kept as written.
    case unparseable(String)

    /// Words switches use for a withheld caller id.
    public static let withheldWords: Set<String> = ["anonymous", "private", "unknown", "restricted", "unavailable", "withheld", ""]

    /// The value to store: E.164, the text as written when unparseable, nil when withheld.
    public var stored: String? {
        switch self {
        case .e164(let n): n
        case .withheld: nil
        case .unparseable(let raw): raw
        }
    }

    public var isValid: Bool { if case .e164 = self { true } else { false } }

    /// Normalises any common notation. `defaultCountryCode` applies to national numbers (1: NANP).
    public static func normalise(_ text: String, defaultCountryCode: String = "1") -> PhoneNumber {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if withheldWords.contains(trimmed.lowercased()) { return .withheld }
        guard trimmed.count <= 40 else { return .unparseable(String(trimmed.prefix(40))) }
        // Strip an extension: "x123", "ext. 123".
        let lower = trimmed.lowercased()
        let body = (lower.range(of: "ext") ?? lower.range(of: "x")).map { String(lower[..<$0.lowerBound]) } ?? lower
        let allowed = Set(" -.()/\u{a0}")
        var international = false
        var digits = ""
        for (i, ch) in body.enumerated() {
            if ch == "+" && i == 0 { international = true; continue }
            if ch.isASCII && ch.isNumber { digits.append(ch); continue }
            if allowed.contains(ch) || (ch == "+" && digits.isEmpty) { continue }
            return .unparseable(trimmed)
        }
        if !international, digits.hasPrefix("00") { international = true; digits.removeFirst(2) }
        if !international, defaultCountryCode != "1", digits.hasPrefix("011") { international = true; digits.removeFirst(3) }
        if !international, defaultCountryCode == "1", digits.hasPrefix("011"), digits.count > 11 {
            international = true; digits.removeFirst(3)
        }
        if international {
            guard digits.count >= 7, digits.count <= 15, digits.first != "0" else { return .unparseable(trimmed) }
            if digits.hasPrefix("1") { return nanp(String(digits.dropFirst())).map { .e164($0) } ?? .unparseable(trimmed) }
            return .e164("+" + digits)
        }
        if defaultCountryCode == "1" {
            if digits.count == 11, digits.hasPrefix("1") { digits.removeFirst() }
            return nanp(digits).map { .e164($0) } ?? .unparseable(trimmed)
        }
        // Other countries: drop the national trunk prefix 0.
        if digits.hasPrefix("0") { digits.removeFirst() }
        let full = defaultCountryCode + digits
        guard digits.count >= 5, full.count <= 15 else { return .unparseable(trimmed) }
        return .e164("+" + full)
    }

    /// `+1NXXNXXXXXX` for a valid ten-digit NANP number (area code and exchange start with 2–9).
    private static func nanp(_ ten: String) -> String? {
        let d = Array(ten)
        guard d.count == 10, let a = d[0].wholeNumberValue, a >= 2, let e = d[3].wholeNumberValue, e >= 2 else { return nil }
        return "+1" + ten
    }
}
