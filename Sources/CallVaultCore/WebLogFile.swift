import Foundation

/// A web log export read into rows of named fields, from CSV (with a header) or JSON Lines (one
/// object per line), whichever the file holds: a file whose first character is `{` is JSON Lines.
///
/// Only the known columns are accepted (a typo such as `utm_sorce` would otherwise drop a field
/// silently); every problem is a ``ConfigError`` `FILE:LINE: field: reason`. Empty values are absent.
///
/// ```swift
/// let rows = try WebLogFile.read(text: "{\"request_id\": \"r1\", \"phone\": \"4155550100\"}\n",
///                                file: "cb.jsonl", columns: CallbackRequest.columns, required: ["request_id"])
/// rows[0].fields["phone"]   // "4155550100"
/// ```
public enum WebLogFile {
    public struct Row: Sendable {
        public var line: Int
        public var fields: [String: String]
    }

    public static func read(text: String, file: String, columns: [String], required: [String]) throws -> [Row] {
        let rows = text.drop(while: { $0.isWhitespace }).first == "{"
            ? try jsonLines(text, file: file, columns: columns)
            : try csv(text, file: file, columns: columns, required: required)
        for row in rows {
            for name in required where row.fields[name] == nil {
                throw ConfigError(file: file, line: row.line, "\(name): is required")
            }
            for (name, value) in row.fields {
                if value.count > 2000 { throw ConfigError(file: file, line: row.line, "\(name): longer than 2000 characters") }
                if let c = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                    throw ConfigError(file: file, line: row.line,
                                      "\(name): contains the control character U+\(String(format: "%04X", c.value)) (a line break or tab inside a field breaks every table and report)")
                }
            }
        }
        return rows
    }

    static func csv(_ text: String, file: String, columns: [String], required: [String]) throws -> [Row] {
        let table = try CSVTable(text: text, file: file)
        for name in required where !table.header.contains(name) {
            throw ConfigError(file: file, line: 1, "the header lacks the column \(name) (expected \(columns.joined(separator: ",")))")
        }
        var seen = Set<String>()
        for name in table.header {
            guard columns.contains(name) else {
                throw ConfigError(file: file, line: 1, "the column \(name.debugDescription) is not one of \(columns.joined(separator: ","))")
            }
            guard seen.insert(name).inserted else { throw ConfigError(file: file, line: 1, "the column \(name.debugDescription) appears twice") }
        }
        return try table.rows.map { row in
            guard row.fields.count == table.header.count else {
                throw ConfigError(file: file, line: row.line, "\(row.fields.count) fields, the header has \(table.header.count)")
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(table.header, row.fields) where !value.trimmedWhitespace.isEmpty {
                fields[name] = value.trimmedWhitespace
            }
            return Row(line: row.line, fields: fields)
        }
    }

    static func jsonLines(_ text: String, file: String, columns: [String]) throws -> [Row] {
        guard text.utf8.count <= CSVTable.maxBytes else {
            throw ConfigError(file: file, line: nil, "larger than the \(CSVTable.maxBytes >> 20) MiB limit")
        }
        var rows: [Row] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let trimmed = line.trimmedWhitespace
            if trimmed.isEmpty { continue }
            let object: [String: JSONValue]
            do {
                object = try JSONDecoder().decode([String: JSONValue].self, from: Data(trimmed.utf8))
            } catch {
                throw ConfigError(file: file, line: lineNumber, "not a JSON object (JSON Lines: one object per line)")
            }
            if let duplicate = Sidecar.duplicateKey(in: Data(trimmed.utf8)) {
                throw ConfigError(file: file, line: lineNumber, "\(duplicate): appears twice")
            }
            var fields: [String: String] = [:]
            for (name, value) in object {
                guard columns.contains(name) else {
                    throw ConfigError(file: file, line: lineNumber, "\(name): not one of \(columns.joined(separator: ","))")
                }
                switch value {
                case .null: continue
                case .string(let s): if !s.trimmedWhitespace.isEmpty { fields[name] = s.trimmedWhitespace }
                case .int(let i): fields[name] = String(i)
                default: throw ConfigError(file: file, line: lineNumber, "\(name): must be a string")
                }
            }
            rows.append(Row(line: lineNumber, fields: fields))
        }
        return rows
    }

    /// A time with an offset or `Z`, or a local time read in `timeZone`; nil for anything else.
    static func time(_ text: String, timeZone: TimeZone) -> Date? {
        guard text.contains("T") || text.contains(" ") else { return nil }  // a bare date is not a moment
        return Timestamp.parseBoundary(text, timeZone: timeZone)
    }
}
