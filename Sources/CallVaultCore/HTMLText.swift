/// Text made safe inside HTML elements and quoted attributes: `& < > " '` become entities.
///
/// One escaper for the web application's pages and the evidence bundle's offline `index.html`.
/// Most values (numbers, times, campaign names) need no escaping: one pass over the bytes says so,
/// and the string is returned as it is.
public enum HTMLText {
    public static func escape(_ s: String?) -> String {
        guard let s else { return "" }
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
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
}
