/// A phone number as callvault stores it: E.164 when it can be normalised, else kept as written and flagged.
///
/// ```swift
/// PhoneNumber.normalise("(415) 555-0123", defaultCountryCode: "1")    // .e164("+14155550123")
/// PhoneNumber.normalise("020 7946 0958", defaultCountryCode: "44")    // .e164("+442079460958")
/// PhoneNumber.normalise("anonymous", defaultCountryCode: "1")         // .withheld
/// PhoneNumber.normalise("call me", defaultCountryCode: "1")           // .unparseable("call me")
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

    /// Normalises any common notation. `defaultCountryCode` applies to national numbers (1: NANP);
    /// it has no default here: callers pass the configured one (Settings resolves its default).
    ///
    /// National numbers lose their trunk prefix (`020 7946 0958` ▶ `+442079460958` with 44); a trunk
    /// written inside an international number is dropped too (`+44 (0)20 7946 0958`); a country code
    /// written without `+` is recognised when the length says so (`442079460958` with 44). A number
    /// whose national part has a length its country never uses (libphonenumber's metadata) is not valid.
    public static func normalise(_ text: String, defaultCountryCode: String) -> PhoneNumber {
        let trimmed = text.trimmedWhitespace
        if withheldWords.contains(trimmed.lowercased()) { return .withheld }
        guard trimmed.count <= 40 else { return .unparseable(String(trimmed.prefix(40))) }
        // Strip an extension: "x123", "ext. 123".
        let lower = trimmed.lowercased()
        var body = (lower.range(of: "ext") ?? lower.range(of: "x")).map { String(lower[..<$0.lowerBound]) } ?? lower
        // "+44 (0)20 …": a bracketed trunk prefix, not dialled from abroad where the country's trunk
        // prefix is 0. Where it is not (Italy keeps its 0: "+39 (0)6 …" is +39 06 …), the 0 stays.
        let bracketedZero = body.contains("(0)")
        body = body.replacingOccurrences(of: "(0)", with: " ")
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
        let result = international ? internationalNumber(digits, bracketedZero: bracketedZero)
                                   : nationalNumber(digits, countryCode: defaultCountryCode)
        return result.map { .e164($0) } ?? .unparseable(trimmed)
    }

    /// `digits` after the `+`: country code, then a national number of a length that country uses.
    private static func internationalNumber(_ digits: String, bracketedZero: Bool = false) -> String? {
        guard digits.count >= 7, digits.count <= 15, digits.first != "0" else { return nil }
        if digits.hasPrefix("1") { return nanp(String(digits.dropFirst())) }
        guard let code = PhoneGeography.countryCode(prefixing: digits) else { return nil }
        var rest = String(digits.dropFirst(code.count))
        if bracketedZero, PhoneGeography.numberingPlan(countryCode: code)?.trunkPrefix != "0" { rest = "0" + rest }
        return national(rest, countryCode: code)
    }

    /// A number dialled inside the country `countryCode`.
    private static func nationalNumber(_ digits: String, countryCode: String) -> String? {
        if countryCode == "1" {
            var ten = digits
            if ten.count == 11, ten.hasPrefix("1") { ten.removeFirst() }
            return nanp(ten)
        }
        guard let plan = PhoneGeography.numberingPlan(countryCode: countryCode) else {
            // A country code the metadata does not know: drop a trunk 0 and keep a plausible length.
            let national = digits.hasPrefix("0") ? String(digits.dropFirst()) : digits
            guard national.count >= 5, countryCode.count + national.count <= 15 else { return nil }
            return "+" + countryCode + national
        }
        // Dialled at home, a number starting with the trunk prefix always has it: drop it.
        if !plan.trunkPrefix.isEmpty, digits.hasPrefix(plan.trunkPrefix) {
            return national(String(digits.dropFirst(plan.trunkPrefix.count)), countryCode: countryCode, plan: plan)
        }
        if let number = national(digits, countryCode: countryCode, plan: plan) { return number }
        // The country code written without "+" or "00": "442079460958".
        if digits.hasPrefix(countryCode), digits.count > countryCode.count + 3 {
            return national(String(digits.dropFirst(countryCode.count)), countryCode: countryCode, plan: plan)
        }
        return nil
    }

    /// `+CC` and the national number, when its length is one the country uses. A trunk prefix written
    /// after the country code (`+44 020 …`) is dropped only when the length says it is one: `+7 812 …`
    /// is St Petersburg, not a trunk 8.
    private static func national(_ digits: String, countryCode: String,
                                 plan: PhoneGeography.NumberingPlan? = nil) -> String? {
        guard let plan = plan ?? PhoneGeography.numberingPlan(countryCode: countryCode) else { return nil }
        var national = digits
        if !plan.trunkPrefix.isEmpty, national.hasPrefix(plan.trunkPrefix),
           plan.lengths.contains(national.count - plan.trunkPrefix.count) {
            national.removeFirst(plan.trunkPrefix.count)
        }
        guard plan.lengths.contains(national.count), countryCode.count + national.count <= 15 else { return nil }
        return "+" + countryCode + national
    }

    /// `+1NXXNXXXXXX` for a valid ten-digit NANP number (area code and exchange start with 2–9).
    private static func nanp(_ ten: String) -> String? {
        let d = Array(ten)
        guard d.count == 10, let a = d[0].wholeNumberValue, a >= 2, let e = d[3].wholeNumberValue, e >= 2 else { return nil }
        return "+1" + ten
    }
}
