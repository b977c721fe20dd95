/// A TOML 1.0 parser written against the specification (https://toml.io/en/v1.0.0) that cannot
/// abort: every input either gives a tree or a ``TOMLError`` with its line and column.
///
/// ```swift
/// let root = try TOML.parse("[encoder]\nbitrate = 16000\n")
/// root["encoder"]?.table?["bitrate"]?.int   // 16000, written on line 2
/// ```
///
/// Built so that no input can crash or stall it: it reads bytes by index with bounds checks (no
/// force unwraps, preconditions or traps on input-driven paths), nesting of arrays, inline
/// tables and tables is capped at ``TOML/maxDepth`` (recursion and deallocation stay shallow),
/// and every step is linear in the input (one pass; dictionary lookups for keys).
public enum TOML {
    /// The deepest nesting of tables and arrays accepted (toml-test suggests 128 to 256 as ample).
    public static let maxDepth = 200

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses UTF-8 bytes; invalid UTF-8 is an error with its line.
    public static func parse(bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes)
        return try parser.document()
    }
}

struct TOMLParser {
    let b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    let root: TOMLTable
    var current: TOMLTable
    let columnCache = ColumnCache()

    init(_ bytes: [UInt8]) {
        b = bytes
        root = TOMLTable(line: 1, column: 1, kind: .header, depth: 0)
        current = root
    }

    // MARK: Cursor

    var peek: UInt8? { i < b.count ? b[i] : nil }
    func peek(_ offset: Int) -> UInt8? { i + offset < b.count ? b[i + offset] : nil }

    /// The character column of byte offset `at` on the current line. Counted on from the last
    /// position asked for, so the columns of a long line cost one pass over it, not one per value.
    func column(_ at: Int) -> Int {
        let c = columnCache
        if c.lineStart != lineStart || at < c.offset {
            c.lineStart = lineStart
            c.offset = lineStart
            c.column = 1
        }
        while c.offset < at && c.offset < b.count {
            if b[c.offset] & 0xC0 != 0x80 { c.column += 1 }
            c.offset += 1
        }
        return c.column
    }

    final class ColumnCache {
        var lineStart = -1
        var offset = 0
        var column = 1
    }

    func fail(_ reason: String) -> TOMLError { TOMLError(line: line, column: column(i), reason: reason) }

    /// What is at the cursor, for messages: `'x'`, `U+00E9`, a newline or the end.
    var found: String {
        guard let c = peek else { return "the end of the file" }
        if c == 0x0A || c == 0x0D { return "the end of the line" }
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        var scalar: UInt32 = 0
        var rest = 0
        switch c {
        case 0x00..<0x80: scalar = UInt32(c)
        case 0xC0..<0xE0: scalar = UInt32(c & 0x1F); rest = 1
        case 0xE0..<0xF0: scalar = UInt32(c & 0x0F); rest = 2
        default: scalar = UInt32(c & 0x07); rest = 3
        }
        for k in 0..<rest { scalar = scalar << 6 | UInt32((peek(k + 1) ?? 0x80) & 0x3F) }
        let hex = String(scalar, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Consumes a newline (LF or CRLF) if one is at the cursor.
    mutating func newline() throws(TOMLError) -> Bool {
        if peek == 0x0A { i += 1 } else if peek == 0x0D {
            guard peek(1) == 0x0A else { throw fail("a carriage return must be followed by a line feed") }
            i += 2
        } else { return false }
        line += 1
        lineStart = i
        return true
    }

    mutating func skipSpaces() { while let c = peek, c == 0x20 || c == 0x09 { i += 1 } }

    mutating func skipComment() throws(TOMLError) {
        guard peek == UInt8(ascii: "#") else { return }
        i += 1
        while let c = peek, c != 0x0A {
            if c == 0x0D { if peek(1) == 0x0A { return }; throw fail("a carriage return must be followed by a line feed") }
            if isControl(c) { throw fail("control character \(found) in a comment") }
            i += 1
        }
    }

    /// Spaces, comments and newlines (inside arrays).
    mutating func skipBlank() throws(TOMLError) {
        while true {
            skipSpaces()
            try skipComment()
            if try !newline() { return }
        }
    }

    func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != 0x09) || c == 0x7F }

    // MARK: Document

    mutating func document() throws(TOMLError) -> TOMLTable {
        try validateUTF8()
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        while i < b.count {
            skipSpaces()
            if let c = peek, c != 0x0A, c != 0x0D, c != UInt8(ascii: "#") {
                if c == UInt8(ascii: "[") { try header() } else { try keyValue(into: current) }
                skipSpaces()
            }
            try skipComment()
            if i < b.count, try !newline() { throw fail("expected the end of the line, found \(found)") }
        }
        return root
    }

    /// `[a.b]` or `[[a.b]]`.
    mutating func header() throws(TOMLError) {
        let startLine = line, startColumn = column(i)
        i += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { i += 1 }
        skipSpaces()
        let keys = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header, found \(found)") }
        i += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array of tables header, found \(found)") }
            i += 1
        }
        let name = keys.map(\.name).joined(separator: ".")
        var table = root
        for k in keys.dropLast() {
            if let existing = table[k.name] {
                switch existing.value {
                case .table(let sub) where sub.kind != .inline:
                    table = sub
                case .array(let array) where array.isArrayOfTables:
                    guard let last = array.elements.last?.table else { throw fail("\(k.name) is not a table") }
                    table = last
                default:
                    throw TOMLError(line: k.line, column: k.column,
                                    reason: "cannot define [\(name)]: \(k.name) is already a value (line \(existing.line)), not a table that can be extended")
                }
            } else {
                table = try child(of: table, k.name, line: k.line, column: k.column, kind: .implicit)
            }
        }
        guard let last = keys.last else { throw fail("expected a table name") }
        let existing = table[last.name]
        if isArray {
            if let existing {
                guard case .array(let array) = existing.value, array.isArrayOfTables else {
                    throw TOMLError(line: startLine, column: startColumn,
                                    reason: "cannot define [[\(name)]]: \(name) is already defined (line \(existing.line)) and is not an array of tables")
                }
                let element = try newTable(depth: table.depth + 2, line: startLine, column: startColumn, kind: .header)
                array.elements.append(TOMLNode(.table(element), line: startLine, column: startColumn))
                current = element
            } else {
                guard table.depth + 2 <= TOML.maxDepth else { throw fail("tables and arrays nested more than \(TOML.maxDepth) deep") }
                let element = TOMLTable(line: startLine, column: startColumn, kind: .header, depth: table.depth + 2)
                let array = TOMLArray(elements: [TOMLNode(.table(element), line: startLine, column: startColumn)], isArrayOfTables: true)
                table.insert(last.name, TOMLNode(.array(array), line: last.line, column: last.column))
                current = element
            }
        } else if let existing {
            guard case .table(let sub) = existing.value, sub.kind == .implicit else {
                throw TOMLError(line: startLine, column: startColumn,
                                reason: "table [\(name)] is already defined (line \(existing.line))")
            }
            sub.kind = .header
            sub.line = startLine
            sub.column = startColumn
            current = sub
        } else {
            current = try child(of: table, last.name, line: startLine, column: startColumn, kind: .header)
        }
    }

    func newTable(depth: Int, line: Int, column: Int, kind: TOMLTable.Kind) throws(TOMLError) -> TOMLTable {
        guard depth <= TOML.maxDepth else {
            throw TOMLError(line: line, column: column, reason: "tables and arrays nested more than \(TOML.maxDepth) deep")
        }
        return TOMLTable(line: line, column: column, kind: kind, depth: depth)
    }

    func child(of table: TOMLTable, _ name: String, line: Int, column: Int, kind: TOMLTable.Kind) throws(TOMLError) -> TOMLTable {
        let sub = try newTable(depth: table.depth + 1, line: line, column: column, kind: kind)
        table.insert(name, TOMLNode(.table(sub), line: line, column: column))
        return sub
    }

    struct Key { var name: String; var line: Int; var column: Int }

    /// A dotted key: `a`, `a.b`, `"a b".'c'`.
    mutating func key() throws(TOMLError) -> [Key] {
        var keys: [Key] = []
        while true {
            skipSpaces()
            let l = line, c = column(i)
            let name: String
            switch peek {
            case UInt8(ascii: "\""):
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw fail("a key cannot be a multi-line string") }
                name = try basicString()
            case UInt8(ascii: "'"):
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw fail("a key cannot be a multi-line string") }
                name = try literalString()
            default:
                let start = i
                while let ch = peek, isBareKeyByte(ch) { i += 1 }
                guard i > start else {
                    throw fail("expected a key (letters, digits, _ and -, or a quoted string), found \(found)")
                }
                name = String(decoding: b[start..<i], as: UTF8.self)
            }
            keys.append(Key(name: name, line: l, column: c))
            guard keys.count <= TOML.maxDepth else { throw fail("a key with more than \(TOML.maxDepth) parts") }
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { return keys }
            i += 1
        }
    }

    func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    /// `key = value`, into `table` (the current table, or an inline table being read).
    mutating func keyValue(into table: TOMLTable) throws(TOMLError) {
        let keys = try key()
        guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key, found \(found)") }
        i += 1
        skipSpaces()
        var target = table
        for k in keys.dropLast() {
            if let existing = target[k.name] {
                guard case .table(let sub) = existing.value, sub.kind == .dotted else {
                    throw TOMLError(line: k.line, column: k.column,
                                    reason: "cannot add keys to \(k.name) with a dotted key: it is already defined (line \(existing.line))")
                }
                target = sub
            } else {
                target = try child(of: target, k.name, line: k.line, column: k.column, kind: .dotted)
            }
        }
        guard let last = keys.last else { throw fail("expected a key") }
        if let existing = target[last.name] {
            throw TOMLError(line: last.line, column: last.column,
                            reason: "duplicate key \"\(last.name)\" (first defined on line \(existing.line))")
        }
        let value = try self.value(depth: target.depth + 1)
        target.insert(last.name, TOMLNode(value, line: last.line, column: last.column))
    }

    // MARK: UTF-8

    /// Refuses malformed UTF-8 (overlong forms, surrogates, beyond U+10FFFF), with its line.
    func validateUTF8() throws(TOMLError) {
        var k = 0
        var lineNo = 1
        var start = 0
        func error(_ at: Int) -> TOMLError {
            TOMLError(line: lineNo, column: at - start + 1, reason: "not valid UTF-8 (byte 0x\(String(b[at], radix: 16, uppercase: true)))")
        }
        while k < b.count {
            let c = b[k]
            if c < 0x80 {
                if c == 0x0A { lineNo += 1; start = k + 1 }
                k += 1
                continue
            }
            var need = 0
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: throw error(k)
            }
            for n in 1...need {
                guard k + n < b.count else { throw error(k) }
                let d = b[k + n]
                let lo: UInt8 = n == 1 ? low : 0x80, hi: UInt8 = n == 1 ? high : 0xBF
                guard d >= lo && d <= hi else { throw error(k) }
            }
            k += need + 1
        }
    }
}
