import Foundation

/// Finds payment card numbers (PANs) in text a switch hands us, so that a sidecar value holding one
/// is replaced before anything is indexed or logged (PCI DSS: card data never enters the archive).
///
/// A PAN is 13 to 19 digits that pass the Luhn check, written together or in groups separated by
/// one space or one dash (`4111111111111111`, `4111 1111 1111 1111`, `4111-1111-1111-1111`). A longer
/// sequence of groups is searched group by group (`ref 12 4111 1111 1111 1111` holds one); a run of
/// more than 19 digits without separators is not a card number. Any other character (a letter, a
/// dot, a colon, two separators in a row) ends a sequence, so dates, times, E.164 numbers and
/// Asterisk uniqueids (`1732802580.42`) are never taken for one.
///
/// ```swift
/// PaymentCardNumber.isContained(in: "card 4111-1111-1111-1111 exp 12/28")  // true
/// PaymentCardNumber.isContained(in: "+1 415 555 0100")                    // false (11 digits)
/// ```
/// Whole values are replaced with ``replacement``, not just the digits: an expiry date or a
/// security code written beside the number goes with it.
public enum PaymentCardNumber {
    /// What a value holding a card number becomes.
    public static let replacement = "[redacted-pan]"
    public static let digitCounts = 13...19

    /// True when `text` holds a card number anywhere.
    public static func isContained(in text: String) -> Bool {
        var groups: [[UInt8]] = []
        var current: [UInt8] = []
        var separated = false
        func endSequence() -> Bool {
            if !current.isEmpty { groups.append(current) }
            defer { groups.removeAll(keepingCapacity: true); current.removeAll(keepingCapacity: true) }
            return holdsCard(groups)
        }
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                current.append(byte - UInt8(ascii: "0"))
                separated = false
            } else if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")) && !current.isEmpty && !separated {
                groups.append(current)
                current = []
                separated = true
            } else {
                // A separator after a separator, or any other character: the sequence ends here.
                if endSequence() { return true }
                separated = false
            }
        }
        return endSequence()
    }

    /// Whether consecutive groups, joined, form 13–19 digits passing Luhn.
    private static func holdsCard(_ groups: [[UInt8]]) -> Bool {
        for first in groups.indices {
            var digits: [UInt8] = []
            for group in groups[first...] {
                digits += group
                if digits.count > digitCounts.upperBound { break }
                if digitCounts.contains(digits.count) && passesLuhn(digits) { return true }
            }
        }
        return false
    }

    /// The Luhn (mod 10) check: from the right, every second digit doubled (minus 9 above 9), sum divisible by 10.
    public static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if i % 2 == 1 {
                v *= 2
                if v > 9 { v -= 9 }
            }
            sum += v
        }
        return sum % 10 == 0
    }

    /// `value` with every string (and integer) holding a card number replaced by ``replacement``;
    /// `path` names the value (`vendor.notes[2]`), and each replaced one's path is appended to `replaced`.
    public static func redacted(_ value: JSONValue, path: String, replaced: inout [String]) -> JSONValue {
        switch value {
        case .string(let s):
            if isContained(in: s) { replaced.append(path); return .string(replacement) }
            return value
        case .int(let i):
            if isContained(in: String(i)) { replaced.append(path); return .string(replacement) }
            return value
        case .double(let d):
            // A card number too large for an Int arrives as a Double; its digits as written are what matter.
            if d.rounded() == d, abs(d) < 1e20, isContained(in: String(format: "%.0f", abs(d))) {
                replaced.append(path)
                return .string(replacement)
            }
            return value
        case .array(let items):
            return .array(items.enumerated().map { redacted($0.element, path: "\(path)[\($0.offset)]", replaced: &replaced) })
        case .object(let fields):
            var out: [String: JSONValue] = [:]
            for key in fields.keys.sorted() {
                if let v = fields[key] { out[key] = redacted(v, path: "\(path).\(key)", replaced: &replaced) }
            }
            return .object(out)
        case .null, .bool:
            return value
        }
    }
}
