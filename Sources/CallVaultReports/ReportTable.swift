import CallVaultCore
import Foundation

/// A report's result: named columns and rows of values, rendered as a text table, CSV, JSON or HTML.
/// Every format prints the same numbers (tests compare them).
public struct ReportTable: Sendable {
    public enum Value: Sendable, Equatable, Encodable {
        case text(String)
        case int(Int)
        case number(Double)
        case null

        public var display: String {
            switch self {
            case .text(let s): s
            case .int(let i): "\(i)"
            case .number(let d): String(format: "%.4f", d).replacingOccurrences(of: "\\.?0+$", with: "", options: .regularExpression)
            case .null: ""
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .int(let i): try c.encode(i)
            case .number(let d): try c.encode((d * 10000).rounded() / 10000)
            case .null: try c.encodeNil()
            }
        }
    }

    public var title: String
    public var columns: [String]
    public var rows: [[Value]]
    /// One-line facts printed under the table (filters, totals).
    public var notes: [String] = []

    public init(title: String, columns: [String], rows: [[Value]] = [], notes: [String] = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }

    /// The rows as the shared ``CellTable`` the CLI prints every listing from.
    public var cells: CellTable {
        CellTable(columns: columns, rows: rows.map { $0.map(\.cell) })
    }

    public func text() -> String {
        ([title, "", cells.text()] + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n")
    }

    public func csv() -> String { cells.csv() }

    /// `{"report": title, "rows": [{column: value}], "notes": [...]}`, written directly (see
    /// ``ReportJSONWriter``): the bytes of ``encodedJSON()``, several times faster on long listings.
    public func json() throws -> String { try ReportJSONWriter.write(self) }

    /// The same document through `JSONEncoder`: the reference ``json()`` is tested against.
    func encodedJSON() throws -> String {
        struct Row: Encodable {
            let columns: [String], values: [Value]
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: AnyCodingKey.self)
                for (k, v) in zip(columns, values) { try c.encode(v, forKey: AnyCodingKey(k)) }
            }
        }
        struct Out: Encodable { let report: String; let columns: [String]; let rows: [Row]; let notes: [String] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let out = Out(report: title, columns: columns, rows: rows.map { Row(columns: columns, values: $0) }, notes: notes)
        return String(decoding: try encoder.encode(out), as: UTF8.self)
    }
}

extension ReportTable.Value {
    /// A number keeps its report rounding (``display``); null is an absent cell.
    var cell: CellTable.Cell {
        switch self {
        case .text(let s): .text(s)
        case .int(let i): .int(i)
        case .number: .text(display)
        case .null: .absent
        }
    }

    static func rate(_ part: Int, _ whole: Int) -> Self { whole == 0 ? .null : .number(Double(part) / Double(whole)) }
    static func average(_ total: Int, _ count: Int) -> Self { count == 0 ? .null : .number(Double(total) / Double(count)) }
    static func optional(_ s: String?) -> Self { s.map { .text($0) } ?? .null }
}
