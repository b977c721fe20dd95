/// `JSONEncoder`'s `.prettyPrinted` layout of compact JSON (``JSONBytes``' bytes, or the
/// encoder's own without that option): the same tokens, laid out as the encoder lays them out —
/// two spaces an indent level, `"key" : value`, one value a line, and an empty array or object as
/// its brackets two lines apart (`[\n\n  ]`). Only the whitespace between tokens changes; strings
/// are copied as they are, escapes and all.
///
/// Why: `query --format json` printed a page of whole records through `JSONEncoder`, a boxed value
/// and a key sort per field — a fifth of the command's time at 10M calls. The records are written
/// with ``JSONBytes`` (as the web API writes them) and laid out here; tests compare the result
/// with the encoder's on records with every field set and on awkward documents.
///
/// ```swift
/// JSONBytes.prettyPrinted(Array(#"{"a":[],"b":{"c":1}}"#.utf8))
/// // {\n  "a" : [\n\n  ],\n  "b" : {\n    "c" : 1\n  }\n}
/// ```
extension JSONBytes {
    public static func prettyPrinted(_ compact: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(compact.count + compact.count / 2)
        var depth = 0, i = 0
        let n = compact.count
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: 2 * level))
        }
        while i < n {
            let b = compact[i]
            switch b {
            case UInt8(ascii: "\""):
                // A string, copied to its closing quote (a backslash escapes the byte after it).
                out.append(b)
                i += 1
                while i < n {
                    let c = compact[i]
                    out.append(c)
                    i += 1
                    if c == UInt8(ascii: "\\"), i < n { out.append(compact[i]); i += 1; continue }
                    if c == UInt8(ascii: "\"") { break }
                }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(b)
                let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if i + 1 < n, compact[i + 1] == close {
                    out.append(0x0A)
                    newline(depth)
                    out.append(close)
                    i += 2
                    continue
                }
                depth += 1
                newline(depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline(depth)
                out.append(b)
            case UInt8(ascii: ","):
                out.append(b)
                newline(depth)
            case UInt8(ascii: ":"):
                out.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
            default:
                out.append(b)
            }
            i += 1
        }
        return out
    }
}
