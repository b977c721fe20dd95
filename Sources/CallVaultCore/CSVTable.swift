/// A small RFC 4180 reader that keeps line numbers, so every error can say `registry.csv:7`.
///
/// Quoted fields may hold commas, doubled quotes and newlines; CRLF and LF both end records.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// 1-based line where the record starts.
        public var line: Int
        public var fields: [String]
    }

    public var header: [String]
    public var rows: [Row]

    public static let maxBytes = 16 << 20

    public init(text: String, file: String) throws {
        guard text.utf8.count <= Self.maxBytes else {
            throw ConfigError(file: file, line: nil, "larger than the \(Self.maxBytes >> 20) MiB limit")
        }
        var records: [Row] = []
        var field = ""
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var afterQuote = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Row(line: recordLine, fields: fields)) }
            fields = []
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                fields.append(field); field = ""; afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord(); afterQuote = false
                line += 1
                recordLine = line
            default:
                if afterQuote { throw ConfigError(file: file, line: line, "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ConfigError(file: file, line: recordLine, "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else { throw ConfigError(file: file, line: nil, "empty file: a header line is required") }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        rows = Array(records.dropFirst())
    }
}

import Foundation
