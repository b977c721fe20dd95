import TOMLKit

/// Reads a TOML document key by key, turning every problem into a ``ConfigError`` with its line.
///
/// Knows which keys each table accepts, so a misspelt key is an error rather than silently ignored.
public struct TOMLReader {
    public let file: String
    let lines: [Substring]
    public let root: TOMLTable

    public init(text: String, file: String) throws {
        self.file = file
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        try Self.precheck(text, file: file)
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, "not valid TOML: \(error.description)")
        }
    }

    /// Refuses what the TOML parser underneath (toml++) asserts on instead of reporting: a
    /// non-ASCII or control character outside strings and comments (found by fuzzing; TOML bare
    /// keys are ASCII letters, digits, `_` and `-` anyway).
    static func precheck(_ text: String, file: String) throws {
        enum State { case code, basic, literal, multiBasic, multiLiteral, comment }
        var state = State.code
        var line = 1
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func starts(_ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            return i + u.count <= scalars.count && Array(scalars[i..<i + u.count]) == u
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" {
                line += 1
                if state == .comment || state == .basic || state == .literal { state = .code }
                i += 1
                continue
            }
            switch state {
            case .code:
                if starts("\"\"\"") { state = .multiBasic; i += 3; continue }
                if starts("'''") { state = .multiLiteral; i += 3; continue }
                if c == "\"" { state = .basic } else if c == "'" { state = .literal } else if c == "#" { state = .comment }
                else if !c.isASCII || (c.value < 0x20 && c != "\t" && c != "\r") || c.value == 0x7f {
                    throw ConfigError(file: file, line: line, "unexpected character U+\(String(c.value, radix: 16, uppercase: true)) outside a string; keys are ASCII letters, digits, _ and -")
                }
            case .basic:
                if c == "\\" { i += 2; continue }
                if c == "\"" { state = .code }
            case .literal:
                if c == "'" { state = .code }
            case .multiBasic:
                if c == "\\" { i += 2; continue }
                if starts("\"\"\"") { state = .code; i += 3; continue }
            case .multiLiteral:
                if starts("'''") { state = .code; i += 3; continue }
            case .comment:
                break
            }
            i += 1
        }
    }

    /// The 1-based line where `key` is set inside `[section]` (nil section: the top), best effort.
    public func line(of key: String, in section: String?) -> Int? {
        var current: String? = nil
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            if current == section, line.hasPrefix(key), line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") {
                return i + 1
            }
        }
        return section.flatMap { s in lines.firstIndex { $0.contains("[\(s)]") || $0.contains("[[\(s)]]") }.map { $0 + 1 } }
    }

    public func error(_ message: String, key: String? = nil, section: String? = nil) -> ConfigError {
        ConfigError(file: file, line: key.flatMap { line(of: $0, in: section) } ?? section.flatMap { line(of: "", in: $0) }, message)
    }

    /// Rejects keys of `table` not in `allowed`.
    public func checkKeys(_ table: TOMLTable, allowed: Set<String>, section: String?) throws {
        for key in table.keys where !allowed.contains(key) {
            let place = section.map { " in [\($0)]" } ?? ""
            throw error("unknown key \"\(key)\"\(place); known keys: \(allowed.sorted().joined(separator: ", "))",
                        key: key, section: section)
        }
    }

    public func string(_ table: TOMLTable, _ key: String, section: String?) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw error("\(key) must be a string", key: key, section: section) }
        return s
    }

    public func int(_ table: TOMLTable, _ key: String, section: String?, range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else { throw error("\(key) must be an integer", key: key, section: section) }
        guard range.contains(n) else {
            throw error("\(key) must be between \(range.lowerBound) and \(range.upperBound) (got \(n))", key: key, section: section)
        }
        return n
    }

    public func double(_ table: TOMLTable, _ key: String, section: String?) throws -> Double? {
        guard let value = table[key] else { return nil }
        if let d = value.double { return d }
        if let n = value.int { return Double(n) }
        throw error("\(key) must be a number", key: key, section: section)
    }

    public func bool(_ table: TOMLTable, _ key: String, section: String?) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else { throw error("\(key) must be true or false", key: key, section: section) }
        return b
    }

    public func table(_ table: TOMLTable, _ key: String) throws -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let t = value.table else { throw error("\(key) must be a table ([\(key)])", key: key, section: nil) }
        return t
    }
}

import Foundation
