import Foundation

/// Compact JSON written straight into bytes, as `JSONEncoder` with `[.sortedKeys,
/// .withoutEscapingSlashes]` writes it: no spaces, object keys ordered by their UTF-8 bytes,
/// strings escaped as the encoder escapes them (`"`, `\`, `\b \f \n \r \t`, other control
/// characters as `\u00xx`; `/` and non-ASCII left as they are).
///
/// Why: the web API's search answers 50 whole records a request; going through `Encodable` (a
/// boxed value and a key sort per field) cost more than the query. Callers write each object's keys
/// in sorted order themselves (computed once per type, see ``sortedKeys(_:)``); a Double still goes
/// through `JSONEncoder` so its digits stay exactly the encoder's. Tests compare the bytes with the
/// encoder's output.
///
/// ```swift
/// var json = JSONBytes()
/// json.open(); json.key("id", first: true); json.string("c01"); json.close()
/// String(decoding: json.bytes, as: UTF8.self)   // {"id":"c01"}
/// ```
public struct JSONBytes: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Keys in the order `.sortedKeys` writes them.
    public static func sortedKeys(_ keys: [String]) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    public mutating func open() { bytes.append(UInt8(ascii: "{")) }
    public mutating func close() { bytes.append(UInt8(ascii: "}")) }
    public mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    /// `"key":`, preceded by a comma unless it is the object's first key.
    public mutating func key(_ key: String, first: Bool = false) {
        if !first { comma() }
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func null() { raw("null") }
    public mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

    /// Decimal digits (a small string: no allocation).
    public mutating func int(_ i: Int) {
        bytes.append(contentsOf: String(i).utf8)
    }

    public mutating func int(_ i: Int64) {
        bytes.append(contentsOf: String(i).utf8)
    }

    /// The encoder's text (`1`, `0.5`, `1e-05`): ``plainNumber(_:)`` when it has one, else
    /// through `JSONEncoder`.
    public mutating func double(_ d: Double) throws {
        bytes.append(contentsOf: try Self.plainNumber(d) ?? Array(JSONEncoder().encode(d)))
    }

    /// `JSONEncoder`'s text of a finite Double that Swift writes without an exponent: its
    /// `description` less a trailing `.0` (checked against the encoder on 200,000 report values;
    /// the encoder costs about a microsecond a number); nil for any other (an exponent, not a
    /// number), which the encoder must write.
    public static func plainNumber(_ d: Double) -> [UInt8]? {
        guard d.isFinite else { return nil }
        var text = Array(d.description.utf8)
        guard !text.contains(UInt8(ascii: "e")) else { return nil }
        if text.count > 2, text[text.count - 2] == UInt8(ascii: "."), text[text.count - 1] == UInt8(ascii: "0") { text.removeLast(2) }
        return text
    }

    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                if i > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                switch b {
                case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
                case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
                case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
                case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
                case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
                case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
                case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                }
            }
            if utf8.count > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func optional(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    public mutating func strings(_ items: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (n, item) in items.enumerated() {
            if n > 0 { comma() }
            string(item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object of strings, keys sorted.
    public mutating func object(_ dict: [String: String]) {
        open()
        for (n, k) in Self.sortedKeys(Array(dict.keys)).enumerated() {
            key(k, first: n == 0)
            string(dict[k] ?? "")
        }
        close()
    }

    /// Any JSON value, objects with sorted keys.
    public mutating func value(_ v: JSONValue) throws {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): try double(d)
        case .string(let s): string(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (n, item) in a.enumerated() {
                if n > 0 { comma() }
                try value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o): try object(o)
        }
    }

    public mutating func object(_ dict: [String: JSONValue]) throws {
        open()
        for (n, k) in Self.sortedKeys(Array(dict.keys)).enumerated() {
            key(k, first: n == 0)
            try value(dict[k] ?? .null)
        }
        close()
    }
}
