/// Text made safe inside HTML elements and quoted attributes: `& < > " '` become entities.
///
/// One escaper for the web application's pages and the evidence bundle's offline `index.html`.
/// Most values (numbers, times, campaign names) need no escaping: one pass over the bytes says so,
/// and the string is returned as it is.
public enum HTMLText {
    public static func escape(_ s: String?) -> String {
        guard let s else { return "" }
        guard needsEscape(s) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// True when `s` holds one of `& < > " '`: a plain loop over the string's contiguous UTF-8
    /// (a search page asks this of every cell, and the generic `contains(where:)` was not inlined).
    static func needsEscape(_ s: String) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for b in bytes where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 { return true }
            return false
        }
        if let found = s.utf8.withContiguousStorageIfAvailable(scan) { return found }
        var copy = s
        return copy.withUTF8(scan)
    }
}
