import CallVaultCore
import Foundation

/// Writes a ``ReportTable`` as JSON with the bytes `JSONEncoder` would produce (pretty printed,
/// sorted keys, slashes unescaped), without going through `Encodable`.
///
/// Why: a month of `report missed` is tens of thousands of rows of nine cells; `JSONEncoder`
/// (a keyed container, a boxed value and a key sort per cell) took most of the command's time on
/// a 1M-call index. Rows are written straight into one byte buffer, each row's key order computed
/// once for the table. Numbers (a rate, an average) still go through `JSONEncoder`, so their digits
/// stay exactly what they were; tests compare every report's output with the encoder's.
///
/// ```swift
/// let text = ReportJSONWriter.write(table)   // {"columns": [...], "notes": [...], "report": ..., "rows": [...]}
/// ```
enum ReportJSONWriter {
    static func write(_ table: ReportTable) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256 + table.rows.count * table.columns.count * 32)
        // The order JSONEncoder's .sortedKeys gives: by the keys' UTF-8 bytes.
        let order = table.columns.indices.sorted { table.columns[$0].utf8.lexicographicallyPrecedes(table.columns[$1].utf8) }
        let keys = order.map { i -> [UInt8] in
            var k: [UInt8] = []
            appendString(table.columns[i], to: &k)
            return k + Array(" : ".utf8)
        }
        let numbers = NumberText()
        out += Array("{\n  \"columns\" : ".utf8)
        appendStrings(table.columns, indent: 2, to: &out)
        out += Array(",\n  \"notes\" : ".utf8)
        appendStrings(table.notes, indent: 2, to: &out)
        out += Array(",\n  \"report\" : ".utf8)
        appendString(table.title, to: &out)
        out += Array(",\n  \"rows\" : ".utf8)
        if table.rows.isEmpty {
            out += Array("[\n\n  ]".utf8)
        } else {
            out += Array("[\n".utf8)
            let open = Array("    {\n".utf8), pad = Array("      ".utf8), comma = Array(",\n".utf8)
            let close = Array("    },\n".utf8), lastClose = Array("    }\n".utf8)
            for (r, row) in table.rows.enumerated() {
                out += open
                for (n, i) in order.enumerated() {
                    out += pad
                    out += keys[n]
                    try appendValue(i < row.count ? row[i] : .null, numbers, to: &out)
                    if n == order.count - 1 { out.append(0x0A) } else { out += comma }
                }
                out += r == table.rows.count - 1 ? lastClose : close
            }
            out += Array("  ]".utf8)
        }
        out += Array("\n}".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// An array of strings at `indent` spaces, in JSONEncoder's pretty layout (empty: `[\n\n<indent>]`).
    private static func appendStrings(_ items: [String], indent: Int, to out: inout [UInt8]) {
        let pad = [UInt8](repeating: 0x20, count: indent)
        if items.isEmpty {
            out += Array("[\n\n".utf8) + pad + Array("]".utf8)
            return
        }
        out += Array("[\n".utf8)
        for (n, item) in items.enumerated() {
            out += pad + [0x20, 0x20]
            appendString(item, to: &out)
            if n < items.count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
        }
        out += pad + Array("]".utf8)
    }

    private static func appendValue(_ value: ReportTable.Value, _ numbers: NumberText, to out: inout [UInt8]) throws {
        switch value {
        case .text(let s): appendString(s, to: &out)
        case .int(let i): out += Array(String(i).utf8)
        case .number(let d): out += try numbers.text((d * 10000).rounded() / 10000)
        case .null: out += Array("null".utf8)
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped as JSONEncoder does.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// JSONEncoder's text of a Double, kept per value (a report repeats few distinct rates):
    /// ``JSONBytes/plainNumber(_:)`` when it has one (a year by hour has ~26,000 distinct
    /// averages), else through the encoder.
    final class NumberText {
        /// By bit pattern: 0 and -0 are equal as Doubles but written apart (`0`, `-0`).
        private var cache: [UInt64: [UInt8]] = [:]
        private let encoder = JSONEncoder()

        func text(_ d: Double) throws -> [UInt8] {
            if let t = cache[d.bitPattern] { return t }
            let t = try JSONBytes.plainNumber(d) ?? Array(encoder.encode(d))
            cache[d.bitPattern] = t
            return t
        }
    }
}
