/// Writes CSV (RFC 4180) that spreadsheet tools cannot be tricked into executing.
///
/// A cell that starts with `=`, `@`, a tab or a carriage return, or with `+`/`-` followed by
/// anything but a plain number, is prefixed with `'` (OWASP's advice against formula injection).
/// E.164 numbers (`+14155550123`) and negative numbers stay as they are.
public enum CSVWriter {
    public static func line(_ cells: [String?]) -> String {
        cells.map { quote(neutralise($0 ?? "")) }.joined(separator: ",")
    }

    public static func neutralise(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first else { return cell }
        switch first {
        case "=", "@", "\t", "\r", "\u{FF1D}", "\u{FF20}":
            return "'" + cell
        case "+", "-":
            let rest = cell.unicodeScalars.dropFirst()
            let numeric = !rest.isEmpty && rest.allSatisfy { ("0"..."9").contains($0) || $0 == "." }
            return numeric ? cell : "'" + cell
        default:
            return cell
        }
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
