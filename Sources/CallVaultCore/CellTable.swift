import Foundation

/// Rows of typed cells under named columns: the one shape every listing is printed from, as an
/// aligned ``TextTable`` or as CSV written cell by cell through ``CSVWriter``.
///
/// A cell keeps its type until a format asks for text, so an absent value is `-` in a table and an
/// empty field in CSV, and nothing is encoded to JSON and parsed back to get a column's text.
///
/// ```swift
/// let table = CellTable(users, columns: [
///     .init("name") { .text($0.name) },
///     .init("created_at") { .optional($0.createdAt) },
/// ])
/// print(table.csv())
/// ```
public struct CellTable: Sendable {
    /// One value of a row.
    public enum Cell: Sendable, Equatable {
        case text(String)
        case int(Int)
        /// A number written with a fixed count of decimals (`%.1f` of seconds, say).
        case fixed(Double, digits: Int)
        /// No value: `-` in a text table, an empty CSV field.
        case absent

        public static func optional(_ text: String?) -> Cell { text.map { .text($0) } ?? .absent }

        /// The cell as text, or nil when absent.
        public var text: String? {
            switch self {
            case .text(let s): s
            case .int(let i): "\(i)"
            case .fixed(let d, let digits): String(format: "%.\(digits)f", d)
            case .absent: nil
            }
        }
    }

    /// A column: its header and how a row's item gives its cell.
    public struct Column<Item> {
        public let name: String
        public let cell: (Item) -> Cell

        public init(_ name: String, _ cell: @escaping (Item) -> Cell) {
            self.name = name
            self.cell = cell
        }
    }

    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// One row an item, one cell a column.
    public init<Item>(_ items: [Item], columns: [Column<Item>]) {
        self.columns = columns.map(\.name)
        self.rows = items.map { item in columns.map { $0.cell(item) } }
    }

    /// The aligned text table: a header, a rule, a line a row (no trailing newline).
    public func text() -> String {
        var table = TextTable(columns: columns)
        for row in rows { table.add(row.map(\.text)) }
        return table.render()
    }

    /// RFC 4180 CSV, the header first, a line a row (no trailing newline).
    public func csv() -> String {
        ([CSVWriter.line(columns)] + rows.map { CSVWriter.line($0.map(\.text)) }).joined(separator: "\n")
    }
}
