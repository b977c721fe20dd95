import CallVaultCore

/// A list a command prints, in the format `--format` asks for: the CLI's one table/csv/json switch.
///
/// The table and the CSV are built from the same typed rows (``CellTable``), the CSV written cell
/// by cell; the CSV may name more columns than the table (full ids, every field). JSON is the
/// library values' own `Encodable` form, so its fields are those of the types the libraries return.
///
/// ```swift
/// try Listing(users, table: [.init("name") { .text($0.name) }]).print(as: format)
/// ```
struct Listing<Item> {
    typealias Column = CellTable.Column<Item>

    var items: [Item]
    var table: [Column]
    /// The CSV rows: built only when CSV is asked for.
    var csv: ([Item]) -> CellTable
    /// What `--format json` prints.
    var json: any Encodable
    /// Lines printed under the text table only (totals of a dry run).
    var footer: [String] = []

    init(_ items: [Item], table: [Column], csv: [Column]? = nil, json: any Encodable, footer: [String] = []) {
        let csvColumns = csv ?? table
        self.init(items, table: table, csvTable: { CellTable($0, columns: csvColumns) }, json: json, footer: footer)
    }

    /// A listing whose CSV rows come whole from `csvRow` (a type that knows its own CSV columns).
    init(_ items: [Item], table: [Column], csvColumns: [String], csvRow: @escaping (Item) -> [CellTable.Cell], json: any Encodable) {
        self.init(items, table: table, csvTable: { CellTable(columns: csvColumns, rows: $0.map(csvRow)) }, json: json)
    }

    private init(_ items: [Item], table: [Column], csvTable: @escaping ([Item]) -> CellTable, json: any Encodable, footer: [String] = []) {
        self.items = items
        self.table = table
        self.csv = csvTable
        self.json = json
        self.footer = footer
    }

    /// The whole output, without the final newline.
    func render(as format: OutputFormat) throws -> String {
        switch format {
        case .json: try JSONOutput.string(json)
        case .csv: csv(items).csv()
        case .table: ([CellTable(items, columns: table).text()] + footer).joined(separator: "\n")
        }
    }

    func print(as format: OutputFormat) throws {
        Swift.print(try render(as: format))
    }
}

extension Listing where Item: Encodable {
    /// A listing whose JSON is the items themselves, as an array.
    init(_ items: [Item], table: [Column], csv: [Column]? = nil, footer: [String] = []) {
        self.init(items, table: table, csv: csv, json: items, footer: footer)
    }
}
