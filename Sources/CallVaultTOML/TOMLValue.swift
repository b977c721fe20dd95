/// A parsed TOML value, with the place it was written: every key, table and array element
/// carries its 1-based line and column, so a reader can say `FILE:LINE: reason` for any value.
public struct TOMLNode {
    public var value: TOMLValue
    public var line: Int
    public var column: Int

    public init(_ value: TOMLValue, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var integer: Int64? { if case .integer(let n) = value { n } else { nil } }
    public var int: Int? { integer.flatMap { Int(exactly: $0) } }
    public var double: Double? { if case .float(let d) = value { d } else { nil } }
    public var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
    public var dateTime: TOMLDateTime? { if case .dateTime(let d) = value { d } else { nil } }
    public var table: TOMLTable? { if case .table(let t) = value { t } else { nil } }
    public var array: [TOMLNode]? { if case .array(let a) = value { a.elements } else { nil } }
}

/// The TOML 1.0 value types.
public enum TOMLValue {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// Offset date-time, local date-time, local date or local time.
    case dateTime(TOMLDateTime)
    case array(TOMLArray)
    case table(TOMLTable)
}

/// A table: keys in document order. A reference type because headers and dotted keys reopen
/// tables created earlier in the document while it is parsed; read-only to users afterwards.
public final class TOMLTable {
    /// How the table came to exist: this decides what may still be added to it (TOML 1.0 §Table).
    enum Kind {
        /// Only named on the way to a deeper header (`[a.b]` creates `a`): `[a]` may still define it.
        case implicit
        /// Defined by a `[header]` or a `[[header]]` element.
        case header
        /// Created by a dotted key (`a.b = 1` creates `a`): more dotted keys may extend it, headers may not define it.
        case dotted
        /// An inline table `{ … }`: complete as written, nothing may be added to it.
        case inline
    }

    public private(set) var keys: [String] = []
    private var entries: [String: TOMLNode] = [:]
    /// Where the table was first written (its header, or the first key that created it).
    public internal(set) var line: Int
    public internal(set) var column: Int
    var kind: Kind
    /// Tables and arrays above this one, for the nesting limit.
    let depth: Int

    init(line: Int, column: Int, kind: Kind, depth: Int) {
        self.line = line
        self.column = column
        self.kind = kind
        self.depth = depth
    }

    public subscript(key: String) -> TOMLNode? { entries[key] }

    public var count: Int { keys.count }

    /// `(key, node)` in document order.
    public var pairs: [(key: String, node: TOMLNode)] { keys.compactMap { k in entries[k].map { (k, $0) } } }

    func insert(_ key: String, _ node: TOMLNode) {
        if entries.updateValue(node, forKey: key) == nil { keys.append(key) }
    }
}

/// An array: a static array written as a value (`[1, 2]`), or an array of tables built by `[[header]]`s.
public final class TOMLArray {
    public internal(set) var elements: [TOMLNode]
    /// True for arrays of tables made by `[[header]]`: only those may be appended to by later headers.
    public let isArrayOfTables: Bool

    init(elements: [TOMLNode], isArrayOfTables: Bool) {
        self.elements = elements
        self.isArrayOfTables = isArrayOfTables
    }
}

/// A TOML date, time or date-time, exactly as written (no time zone conversion).
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case offsetDateTime, localDateTime, localDate, localTime }

    public var year = 0, month = 0, day = 0
    public var hour = 0, minute = 0, second = 0
    /// The fractional second's digits as written ("5" for .5), "" for none.
    public var fraction = ""
    /// Minutes east of UTC; nil for local values.
    public var offsetMinutes: Int?
    public var kind: Kind

    public var hasDate: Bool { kind != .localTime }
    public var hasTime: Bool { kind != .localDate }

    /// RFC 3339 form: `1979-05-27T07:32:00.5-07:00`, `1979-05-27`, `07:32:00`; a zero offset as `Z`.
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func four(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
        var out = ""
        if hasDate { out += "\(four(year))-\(two(month))-\(two(day))" }
        if hasDate && hasTime { out += "T" }
        if hasTime {
            out += "\(two(hour)):\(two(minute)):\(two(second))"
            if !fraction.isEmpty { out += "." + fraction }
        }
        if let offset = offsetMinutes {
            if offset == 0 { out += "Z" } else {
                let a = abs(offset)
                out += (offset < 0 ? "-" : "+") + "\(two(a / 60)):\(two(a % 60))"
            }
        }
        return out
    }
}

/// Why a document is not TOML 1.0, and where (1-based line; column in characters).
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}
