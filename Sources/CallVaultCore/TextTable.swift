/// A plain aligned text table for terminals: a header, a rule, right-aligned numbers.
public struct TextTable {
    public var columns: [String]
    public var rows: [[String]] = []

    public init(columns: [String]) { self.columns = columns }

    public mutating func add(_ row: [String?]) { rows.append(row.map { $0 ?? "-" }) }

    public func render() -> String {
        var widths = columns.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        let numeric = columns.indices.map { i in !rows.isEmpty && rows.allSatisfy { i < $0.count && !$0[i].hasPrefix("+") && Double($0[i].replacingOccurrences(of: "%", with: "")) != nil } }
        func format(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [format(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(format)
        return out.joined(separator: "\n")
    }
}

import Foundation
