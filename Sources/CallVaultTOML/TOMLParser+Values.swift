/// Values: strings, numbers, booleans, dates and times, arrays, inline tables.
extension TOMLParser {
    /// A value at the cursor; `depth` is the nesting of the table or array that will hold it.
    mutating func value(depth: Int) throws(TOMLError) -> TOMLValue {
        switch peek {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .string(try multiLineString(literal: false)) }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .string(try multiLineString(literal: true)) }
            return .string(try literalString())
        case UInt8(ascii: "["):
            return try array(depth: depth + 1)
        case UInt8(ascii: "{"):
            return try inlineTable(depth: depth + 1)
        default:
            return try scalar()
        }
    }

    mutating func array(depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= TOML.maxDepth else { throw fail("tables and arrays nested more than \(TOML.maxDepth) deep") }
        i += 1
        var elements: [TOMLNode] = []
        while true {
            try skipBlank()
            if peek == UInt8(ascii: "]") { i += 1; break }
            let l = line, c = column(i)
            elements.append(TOMLNode(try value(depth: depth), line: l, column: c))
            try skipBlank()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; break }
            throw fail("expected ',' or ']' in the array, found \(found)")
        }
        return .array(TOMLArray(elements: elements, isArrayOfTables: false))
    }

    /// `{ a = 1, b.c = 2 }`: on one line, no trailing comma (TOML 1.0); complete once closed.
    mutating func inlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        let table = try newTable(depth: depth, line: line, column: column(i), kind: .dotted)
        i += 1
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                try keyValue(into: table)
                skipSpaces()
                if peek == UInt8(ascii: ",") {
                    i += 1
                    skipSpaces()
                    if peek == UInt8(ascii: "}") { throw fail("a trailing comma is not allowed in an inline table") }
                    continue
                }
                if peek == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}' in the inline table, found \(found)")
            }
        }
        table.kind = .inline
        return .table(table)
    }

    // MARK: Strings

    /// `"…"` with escapes, on one line.
    mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0x0A, 0x0D:
                throw fail("unterminated string (a newline in a single-line string)")
            default:
                if isControl(c) { throw fail("control character \(found) in a string; write it as an escape") }
                out.append(c)
                i += 1
            }
        }
    }

    /// `'…'`, no escapes, on one line.
    mutating func literalString() throws(TOMLError) -> String {
        i += 1
        let start = i
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            if c == UInt8(ascii: "'") { i += 1; return String(decoding: b[start..<i - 1], as: UTF8.self) }
            if c == 0x0A || c == 0x0D { throw fail("unterminated string (a newline in a single-line string)") }
            if isControl(c) { throw fail("control character \(found) in a string") }
            i += 1
        }
    }

    /// `"""…"""` or `'''…'''`: a newline right after the opening is dropped; in basic ones a
    /// backslash at the end of a line removes the line break and the blanks that follow.
    mutating func multiLineString(literal: Bool) throws(TOMLError) -> String {
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        i += 3
        _ = try newline()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated multi-line string") }
            if c == quote {
                var run = 0
                while peek(run) == quote { run += 1 }
                if run >= 3 {
                    guard run <= 5 else { throw fail("too many quotes at the end of a multi-line string") }
                    out.append(contentsOf: repeatElement(quote, count: run - 3))
                    i += run
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(contentsOf: repeatElement(quote, count: run))
                i += run
            } else if c == 0x0A || c == 0x0D {
                _ = try newline()
                out.append(0x0A)
            } else if c == UInt8(ascii: "\\") && !literal {
                // A line-ending backslash: only blanks may follow it on its line.
                var k = 1
                while let d = peek(k), d == 0x20 || d == 0x09 { k += 1 }
                if peek(k) == 0x0A || (peek(k) == 0x0D && peek(k + 1) == 0x0A) {
                    i += k
                    while true {
                        skipSpaces()
                        if try !newline() { break }
                    }
                } else {
                    try escape(into: &out)
                }
            } else {
                if isControl(c) { throw fail("control character \(found) in a string") }
                out.append(c)
                i += 1
            }
        }
    }

    /// `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`; the code point must be a Unicode scalar.
    mutating func escape(into out: inout [UInt8]) throws(TOMLError) {
        let backslash = column(i)
        let backslashLine = line
        func bad(_ reason: String) -> TOMLError { TOMLError(line: backslashLine, column: backslash, reason: reason) }
        i += 1
        guard let c = peek else { throw fail("unterminated string") }
        let simple: [UInt8: UInt8] = [UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A,
                                      UInt8(ascii: "f"): 0x0C, UInt8(ascii: "r"): 0x0D,
                                      UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C]
        if let byte = simple[c] {
            out.append(byte)
            i += 1
            return
        }
        guard c == UInt8(ascii: "u") || c == UInt8(ascii: "U") else { throw bad("invalid escape \\\(found) in a string") }
        let digits = c == UInt8(ascii: "u") ? 4 : 8
        var code: UInt32 = 0
        for k in 1...digits {
            guard let d = peek(k), let v = hexValue(d) else {
                throw bad("\\\(Character(Unicode.Scalar(c))) needs \(digits) hexadecimal digits")
            }
            code = code << 4 | UInt32(v)
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw bad("\\\(Character(Unicode.Scalar(c)))\(String(code, radix: 16, uppercase: true)) is not a Unicode scalar value")
        }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
        i += digits + 1
    }

    func hexValue(_ d: UInt8) -> UInt8? {
        switch d {
        case 0x30...0x39: d - 0x30
        case 0x41...0x46: d - 0x41 + 10
        case 0x61...0x66: d - 0x61 + 10
        default: nil
        }
    }

    // MARK: Bare values

    /// Booleans, numbers and dates: read the token, then check it against the grammar.
    mutating func scalar() throws(TOMLError) -> TOMLValue {
        let start = i, startColumn = column(i)
        func isTokenByte(_ c: UInt8) -> Bool {
            isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
        while let c = peek, isTokenByte(c) { i += 1 }
        // A date and time may be separated by a space: `1979-05-27 07:32:00`.
        if i - start == 10, b[start + 4] == UInt8(ascii: "-"), peek == 0x20,
           let h1 = peek(1), let h2 = peek(2), isDigit(h1), isDigit(h2), peek(3) == UInt8(ascii: ":") {
            i += 1
            while let c = peek, isTokenByte(c) { i += 1 }
        }
        let token = Array(b[start..<i])
        guard !token.isEmpty else { throw fail("expected a value, found \(found)") }
        let startLine = line
        func bad(_ what: String) -> TOMLError {
            TOMLError(line: startLine, column: startColumn, reason: "\(what): \(String(decoding: token, as: UTF8.self))")
        }
        switch String(decoding: token, as: UTF8.self) {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if token.contains(UInt8(ascii: ":")) || (token.count >= 5 && token[0..<4].allSatisfy(isDigit) && token[4] == UInt8(ascii: "-")) {
            var reader = TOMLDateTimeReader(token)
            guard let dt = reader.read() else { throw bad("not a valid date or time") }
            return .dateTime(dt)
        }
        return try number(token, bad: bad)
    }

    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Digits of `isValid` with single underscores only between digits.
    func digitsWithUnderscores(_ s: ArraySlice<UInt8>, _ isValid: (UInt8) -> Bool) -> Bool {
        guard let first = s.first, let last = s.last, isValid(first), isValid(last) else { return false }
        var previousUnderscore = false
        for c in s {
            if c == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isValid(c) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    func number(_ token: [UInt8], bad: (String) -> TOMLError) throws(TOMLError) -> TOMLValue {
        let text = token.filter { $0 != UInt8(ascii: "_") }
        if token.count > 2, token[0] == UInt8(ascii: "0"), let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "o"): 8, UInt8(ascii: "b"): 2][token[1]] {
            let digits = token[2...]
            guard digitsWithUnderscores(digits, { hexValue($0).map { Int($0) < radix } ?? false }) else { throw bad("not a valid integer") }
            guard let n = Int64(String(decoding: text[2...], as: UTF8.self), radix: radix) else { throw bad("integer out of range (64 bits)") }
            return .integer(n)
        }
        var k = token.startIndex
        if token[k] == UInt8(ascii: "+") || token[k] == UInt8(ascii: "-") { k += 1 }
        // Integer part: no leading zeros.
        var end = k
        while end < token.count, isDigit(token[end]) || token[end] == UInt8(ascii: "_") { end += 1 }
        let integerPart = token[k..<end]
        guard digitsWithUnderscores(integerPart, isDigit) else { throw bad("not a valid number") }
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") { throw bad("leading zeros are not allowed") }
        var isFloat = false
        if end < token.count, token[end] == UInt8(ascii: ".") {
            isFloat = true
            var f = end + 1
            while f < token.count, isDigit(token[f]) || token[f] == UInt8(ascii: "_") { f += 1 }
            guard digitsWithUnderscores(token[(end + 1)..<f], isDigit) else { throw bad("a decimal point needs digits on both sides") }
            end = f
        }
        if end < token.count, token[end] == UInt8(ascii: "e") || token[end] == UInt8(ascii: "E") {
            isFloat = true
            var e = end + 1
            if e < token.count, token[e] == UInt8(ascii: "+") || token[e] == UInt8(ascii: "-") { e += 1 }
            guard digitsWithUnderscores(token[e...], isDigit) else { throw bad("not a valid exponent") }
            end = token.count
        }
        guard end == token.count else { throw bad("not a valid value") }
        let clean = String(decoding: text, as: UTF8.self)
        if isFloat {
            guard let d = Double(clean) else { throw bad("not a valid float") }
            return .float(d)
        }
        guard let n = Int64(clean) else { throw bad("integer out of range (64 bits)") }
        return .integer(n)
    }
}

/// Reads RFC 3339 dates and times as TOML 1.0 allows them (seconds required; `T`, `t` or a space).
struct TOMLDateTimeReader {
    let t: [UInt8]
    var k = 0

    init(_ token: [UInt8]) { t = token }

    mutating func digits(_ n: Int) -> Int? {
        guard k + n <= t.count else { return nil }
        var v = 0
        for c in t[k..<k + n] {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        k += n
        return v
    }

    mutating func expect(_ c: Character) -> Bool {
        guard k < t.count, let a = c.asciiValue, t[k] == a else { return false }
        k += 1
        return true
    }

    mutating func read() -> TOMLDateTime? {
        var dt = TOMLDateTime(kind: .localTime)
        if t.count >= 3 && t[2] == UInt8(ascii: ":") {
            guard readTime(into: &dt), k == t.count else { return nil }
            return dt
        }
        guard let y = digits(4), expect("-"), let m = digits(2), expect("-"), let d = digits(2) else { return nil }
        guard (1...12).contains(m), d >= 1, d <= Self.days(month: m, year: y) else { return nil }
        dt.year = y; dt.month = m; dt.day = d
        dt.kind = .localDate
        if k == t.count { return dt }
        guard expect("T") || expect("t") || expect(" "), readTime(into: &dt) else { return nil }
        dt.kind = .localDateTime
        if k == t.count { return dt }
        if expect("Z") || expect("z") {
            dt.offsetMinutes = 0
        } else {
            let sign = expect("+") ? 1 : expect("-") ? -1 : 0
            guard sign != 0, let h = digits(2), expect(":"), let mm = digits(2), h <= 23, mm <= 59 else { return nil }
            dt.offsetMinutes = sign * (h * 60 + mm)
        }
        dt.kind = .offsetDateTime
        return k == t.count ? dt : nil
    }

    mutating func readTime(into dt: inout TOMLDateTime) -> Bool {
        guard let h = digits(2), expect(":"), let m = digits(2), expect(":"), let s = digits(2),
              h <= 23, m <= 59, s <= 60 else { return false }
        dt.hour = h; dt.minute = m; dt.second = s
        if expect(".") {
            let start = k
            while k < t.count, t[k] >= 0x30 && t[k] <= 0x39 { k += 1 }
            guard k > start else { return false }
            dt.fraction = String(decoding: t[start..<k], as: UTF8.self)
        }
        return true
    }

    static func days(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
