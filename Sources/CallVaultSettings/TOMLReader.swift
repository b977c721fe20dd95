import CallVaultCore
import CallVaultTOML

/// Reads a TOML document key by key, turning every problem into a ``ConfigError`` with its line.
///
/// Knows which keys each table accepts, so a misspelt key is an error rather than silently ignored.
/// The parser (CallVaultTOML) records the line of every key, table header and array element, so a
/// problem is reported where it is written, in whichever `[[retention.rules]]` entry it is.
public struct TOMLReader {
    public let file: String
    public let root: TOMLTable

    public init(text: String, file: String) throws {
        self.file = file
        do {
            root = try TOML.parse(text)
        } catch {
            throw ConfigError(file: file, line: error.line, "not valid TOML: \(error.reason)")
        }
    }

    /// The line of `key` in `table`; without the key (or when it is absent), the table's own line
    /// (its header, or where it was first named); nil for the top of the file.
    public func line(of key: String? = nil, in table: TOMLTable) -> Int? {
        if let key, let node = table[key] { return node.line }
        return table === root ? nil : table.line
    }

    public func error(_ message: String, key: String? = nil, in table: TOMLTable? = nil) -> ConfigError {
        ConfigError(file: file, line: table.flatMap { line(of: key, in: $0) }, message)
    }

    /// Rejects keys of `table` not in `allowed`.
    public func checkKeys(_ table: TOMLTable, allowed: Set<String>, section: String?) throws {
        for key in table.keys where !allowed.contains(key) {
            let place = section.map { " in [\($0)]" } ?? ""
            throw error("unknown key \"\(key)\"\(place); known keys: \(allowed.sorted().joined(separator: ", "))",
                        key: key, in: table)
        }
    }

    public func string(_ table: TOMLTable, _ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw error("\(key) must be a string", key: key, in: table) }
        return s
    }

    public func int(_ table: TOMLTable, _ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else { throw error("\(key) must be an integer", key: key, in: table) }
        guard range.contains(n) else {
            throw error("\(key) must be between \(range.lowerBound) and \(range.upperBound) (got \(n))", key: key, in: table)
        }
        return n
    }

    public func double(_ table: TOMLTable, _ key: String) throws -> Double? {
        guard let value = table[key] else { return nil }
        if let d = value.double {
            // TOML allows inf and nan; no setting of callvault means either.
            guard d.isFinite else { throw error("\(key) must be a finite number (got \(d))", key: key, in: table) }
            return d
        }
        if let n = value.int { return Double(n) }
        throw error("\(key) must be a number", key: key, in: table)
    }

    public func bool(_ table: TOMLTable, _ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else { throw error("\(key) must be true or false", key: key, in: table) }
        return b
    }

    public func table(_ table: TOMLTable, _ key: String) throws -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let t = value.table else { throw error("\(key) must be a table ([\(key)])", key: key, in: table) }
        return t
    }
}
