import CallVaultTOML
import Foundation
import Testing

/// toml-lang/toml-test's TOML 1.0 cases (Tests/TOMLTest, laid out by scripts/fetch-toml-test.sh):
/// every invalid file is refused with a line, every valid file gives the expected value tree.
enum TOMLTestSuite {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TOMLTest")

    static let files: [String] = {
        let list = (try? String(contentsOf: root.appendingPathComponent("files-toml-1.0.0"), encoding: .utf8)) ?? ""
        return list.split(separator: "\n").map(String.init)
    }()
    static let invalid = files.filter { $0.hasPrefix("invalid/") && $0.hasSuffix(".toml") }
    static let valid = files.filter { $0.hasPrefix("valid/") && $0.hasSuffix(".toml") }

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(file)))
    }
}

@Suite("toml-test: TOML 1.0 conformance")
struct TOMLTestSuiteTests {
    @Test("the suite is laid out: 499 invalid and 210 valid TOML 1.0 cases, with the licence")
    func suiteIsThere() {
        #expect(TOMLTestSuite.invalid.count == 499)
        #expect(TOMLTestSuite.valid.count == 210)
        #expect(FileManager.default.fileExists(atPath: TOMLTestSuite.root.appendingPathComponent("LICENSE").path))
    }

    @Test("every invalid file is refused with a line number", arguments: TOMLTestSuite.invalid)
    func invalid(_ file: String) throws {
        let bytes = try TOMLTestSuite.bytes(file)
        let lines = bytes.filter { $0 == 0x0A }.count + 1
        do {
            _ = try TOML.parse(bytes: bytes)
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.line >= 1 && error.line <= lines, "\(file): \(error)")
            #expect(error.column >= 1, "\(file): \(error)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("every valid file parses to the expected values (toml-test's tagged JSON)", arguments: TOMLTestSuite.valid)
    func valid(_ file: String) throws {
        let table = try TOML.parse(bytes: TOMLTestSuite.bytes(file))
        let jsonFile = String(file.dropLast(".toml".count)) + ".json"
        let expected = try JSONSerialization.jsonObject(with: Data(TOMLTestSuite.bytes(jsonFile)), options: [.fragmentsAllowed])
        let mismatch = TaggedJSON.mismatch(.table(table), expected, path: "")
        #expect(mismatch == nil, "\(file): \(mismatch ?? "")")
    }
}

/// Compares a value tree with toml-test's JSON: tables are objects, arrays are arrays, and each
/// scalar is `{"type": "integer", "value": "42"}` (types string, integer, float, bool, datetime,
/// datetime-local, date-local, time-local). Numbers and dates compare by value, not spelling.
enum TaggedJSON {
    static func mismatch(_ value: TOMLValue, _ expected: Any, path: String) -> String? {
        switch value {
        case .table(let table):
            guard let object = expected as? [String: Any] else { return "\(path): a table, expected \(expected)" }
            let keys = Set(table.keys)
            guard keys == Set(object.keys) else { return "\(path): keys \(keys.sorted()), expected \(object.keys.sorted())" }
            for (key, node) in table.pairs {
                if let m = mismatch(node.value, object[key] as Any, path: path + "." + key) { return m }
            }
            return nil
        case .array(let array):
            guard let list = expected as? [Any] else { return "\(path): an array, expected \(expected)" }
            guard list.count == array.elements.count else { return "\(path): \(array.elements.count) elements, expected \(list.count)" }
            for (i, (node, e)) in zip(array.elements, list).enumerated() {
                if let m = mismatch(node.value, e, path: path + "[\(i)]") { return m }
            }
            return nil
        default:
            guard let tagged = expected as? [String: Any], let type = tagged["type"] as? String,
                  let text = tagged["value"] as? String, tagged.count == 2
            else { return "\(path): a scalar \(value), expected \(expected)" }
            let same: Bool
            switch (value, type) {
            case (.string(let s), "string"): same = s == text
            case (.integer(let n), "integer"): same = Int64(text) == n
            case (.float(let d), "float"):
                let e = ["inf": Double.infinity, "+inf": .infinity, "-inf": -.infinity, "nan": .nan, "+nan": .nan, "-nan": .nan][text]
                    ?? Double(text)
                same = e.map { $0 == d || ($0.isNaN && d.isNaN) } ?? false
            case (.bool(let b), "bool"): same = text == String(b)
            case (.dateTime(let dt), "datetime"), (.dateTime(let dt), "datetime-local"),
                 (.dateTime(let dt), "date-local"), (.dateTime(let dt), "time-local"):
                let kind: [String: TOMLDateTime.Kind] = ["datetime": .offsetDateTime, "datetime-local": .localDateTime,
                                                         "date-local": .localDate, "time-local": .localTime]
                // The expected text is RFC 3339, which is a TOML value: read it the same way and compare fields.
                let e = (try? TOML.parse("v = " + text))?["v"]?.dateTime
                same = dt.kind == kind[type] && e.map { normalised($0) == normalised(dt) } == true
            default: same = false
            }
            return same ? nil : "\(path): \(value), expected \(type) \(text)"
        }
    }

    /// Trailing zeros of the fraction do not change the value.
    static func normalised(_ dt: TOMLDateTime) -> TOMLDateTime {
        var d = dt
        while d.fraction.hasSuffix("0") { d.fraction.removeLast() }
        return d
    }
}

@Suite("toml-test comparison catches differences")
struct TaggedJSONTests {
    @Test("a wrong value, type, key or length is reported", arguments: [
        #"{"a": {"type": "integer", "value": "2"}}"#,
        #"{"a": {"type": "float", "value": "1"}}"#,
        #"{"b": {"type": "integer", "value": "1"}}"#,
        #"{"a": [{"type": "integer", "value": "1"}]}"#,
    ])
    func mismatch(_ json: String) throws {
        let table = try TOML.parse("a = 1")
        let expected = try JSONSerialization.jsonObject(with: Data(json.utf8))
        #expect(TaggedJSON.mismatch(.table(table), expected, path: "") != nil)
    }

    @Test("equal values match, whatever their spelling")
    func match() throws {
        let table = try TOML.parse("a = 0x10\nd = 1979-05-27 07:32:00.500+00:00\nf = 1e2")
        let json = #"{"a": {"type": "integer", "value": "16"}, "d": {"type": "datetime", "value": "1979-05-27T07:32:00.5Z"}, "f": {"type": "float", "value": "100.0"}}"#
        let expected = try JSONSerialization.jsonObject(with: Data(json.utf8))
        #expect(TaggedJSON.mismatch(.table(table), expected, path: "") == nil)
    }
}
