import Foundation

/// `application/x-www-form-urlencoded` pairs, in order, repeated names kept: `campaign=A&campaign=B`
/// gives two values, and a comma inside a value is literal.
///
/// Every page and API request reads its query string through here, and the calls page writes it
/// back into its links: decoding and encoding work on the bytes (Foundation's
/// `removingPercentEncoding`, `addingPercentEncoding` and `CharacterSet` were 7% of a search page's
/// CPU). The results are Foundation's, byte for byte (`FormDataTests` compares them on random
/// text); a value outside ASCII is still encoded by Foundation.
public struct FormData: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    /// `+` as a space, then `%XX` decoded; when a `%` is not followed by two hex digits or the
    /// bytes are not UTF-8, the text with only `+` replaced (as `removingPercentEncoding` gives nil).
    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var plain = true, valid = true
        var i = s.utf8.startIndex
        let end = s.utf8.endIndex
        while i < end {
            let b = s.utf8[i]
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%") {
                plain = false
                let h = s.utf8.index(after: i)
                guard valid, h < end, s.utf8.index(after: h) < end,
                      let hi = hexValue(s.utf8[h]), let lo = hexValue(s.utf8[s.utf8.index(after: h)]) else {
                    valid = false
                    bytes.append(b)
                    i = s.utf8.index(after: i)
                    continue
                }
                bytes.append(hi << 4 | lo)
                i = s.utf8.index(i, offsetBy: 3)
                continue
            } else {
                bytes.append(b)
            }
            i = s.utf8.index(after: i)
        }
        if plain || !valid {
            // No escape decoded (or an invalid one): the text with `+` as spaces.
            return valid ? String(decoding: bytes, as: UTF8.self) : s.replacingOccurrences(of: "+", with: " ")
        }
        return String(validating: bytes, as: UTF8.self) ?? s.replacingOccurrences(of: "+", with: " ")
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The first value that is not blank (spaces and tabs, as `CharacterSet.whitespaces`).
    public subscript(_ name: String) -> String? {
        pairs.first { $0.name == name && !Self.isBlank($0.value) }?.value
    }

    /// Every non-empty value of a name.
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
    }

    /// Only tabs and space separators (Unicode Zs), `CharacterSet.whitespaces`'s members.
    static func isBlank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    public static func encode(_ pairs: [(String, String)]) -> String {
        var out: [UInt8] = []
        for (n, (name, value)) in pairs.enumerated() {
            if n > 0 { out.append(UInt8(ascii: "&")) }
            percentEncode(name, into: &out)
            out.append(UInt8(ascii: "="))
            percentEncode(value, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Letters, digits and `-._~` as they are, every other byte as `%XX` (upper-case hex).
    private static func percentEncode(_ s: String, into out: inout [UInt8]) {
        guard s.utf8.allSatisfy({ $0 < 0x80 }) else {
            out += Array(s.addingPercentEncoding(withAllowedCharacters: allowed)!.utf8)
            return
        }
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
    }

    /// Foundation's set, for values outside ASCII.
    static let allowed: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}
