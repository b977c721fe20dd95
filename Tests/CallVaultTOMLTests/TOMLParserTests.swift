import CallVaultTOML
import Foundation
import Testing

private func error(_ text: String) -> TOMLError? {
    do { _ = try TOML.parse(text); return nil } catch { return error }
}

@Suite("TOML parser: places, limits, hostile input")
struct TOMLParserTests {
    @Test("every key, header and array element carries its line and column")
    func places() throws {
        let root = try TOML.parse("""
        top = 1
        [a]
          x = "s"   # comment
        [[r]]
        k = 1
        [[r]]
        list = [
          10,
          20,
        ]
        k = 2
        """)
        #expect(root["top"]?.line == 1 && root["top"]?.column == 1)
        let a = try #require(root["a"]?.table)
        #expect(a.line == 2)
        #expect(a["x"]?.line == 3 && a["x"]?.column == 3)
        let rules = try #require(root["r"]?.array)
        #expect(rules.map(\.line) == [4, 6])
        let second = try #require(rules.last?.table)
        #expect(second["k"]?.line == 11 && second["k"]?.int == 2)
        #expect(second["list"]?.array?.map(\.line) == [8, 9])
    }

    @Test("errors give the line and column of the problem", arguments: [
        ("a = 1\nb = \n", 2, 5, "expected a value"),
        ("a = 1\na = 2\n", 2, 1, "duplicate key \"a\" (first defined on line 1)"),
        ("[t]\nx = 1\n[t]\n", 3, 1, "table [t] is already defined (line 1)"),
        ("s = \"abc\n", 1, 9, "unterminated string"),
        ("n = 9223372036854775808\n", 1, 5, "integer out of range"),
        ("d = 2026-02-30\n", 1, 5, "not a valid date or time"),
        ("k = \"\\uD800\"\n", 1, 6, "not a Unicode scalar value"),
        ("a = {x = 1}\n[a.y]\n", 2, 2, "cannot define [a.y]"),
        ("[x]\ny.z = 1\n[x.y]\n", 3, 1, "table [x.y] is already defined"),
        ("a = [1]\n[[a]]\n", 2, 1, "is not an array of tables"),
    ])
    func errors(_ text: String, _ line: Int, _ column: Int, _ reason: String) throws {
        let e = try #require(error(text))
        #expect(e.line == line && e.column == column, "\(e)")
        #expect(e.reason.contains(reason), "\(e)")
    }

    @Test("all the value types, read by value")
    func values() throws {
        let root = try TOML.parse(#"""
        hex = 0xDEAD_beef
        oct = 0o755
        bin = 0b1101
        min = -9_223_372_036_854_775_808
        f = -6.02e+23
        inf = -inf
        nan = nan
        odt = 1979-05-27 07:32:00.999-07:00
        ldt = 1979-05-27T07:32:00
        ld = 2000-02-29
        lt = 23:59:60.5
        ml = """
        one \
           two\t\U0001F600"""
        lit = '''C:\no'''''
        quoted."a.b" = true
        """#)
        #expect(root["hex"]?.integer == 0xDEADBEEF && root["oct"]?.integer == 0o755 && root["bin"]?.integer == 13)
        #expect(root["min"]?.integer == .min)
        #expect(root["f"]?.double == -6.02e23 && root["inf"]?.double == -.infinity && root["nan"]?.double?.isNaN == true)
        #expect(root["odt"]?.dateTime?.description == "1979-05-27T07:32:00.999-07:00")
        #expect(root["ldt"]?.dateTime?.kind == .localDateTime && root["ld"]?.dateTime?.kind == .localDate)
        #expect(root["lt"]?.dateTime?.description == "23:59:60.5")
        #expect(root["ml"]?.string == "one two\t\u{1F600}")
        #expect(root["lit"]?.string == "C:\\no''")
        #expect(root["quoted"]?.table?["a.b"]?.bool == true)
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow", arguments: [
        String(repeating: "[", count: 100_000),
        "a = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
        "a = " + String(repeating: "{b = ", count: 50_000),
        "[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]",
        Array(repeating: "a", count: 100_000).joined(separator: ".") + " = 1",
    ])
    func deepNesting(_ text: String) {
        let e = error(text)
        #expect(e?.line == 1, "\(String(describing: e))")
    }

    @Test("the nesting limit itself is accepted")
    func nestingAtLimit() throws {
        let depth = TOML.maxDepth - 1
        let root = try TOML.parse("a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(root["a"]?.array != nil)
    }

    @Test("parse time grows linearly with the input (no quadratic step)", .serialized, arguments: [
        "keys", "long array line", "long string", "arrays of tables", "dotted keys",
    ])
    func linear(_ shape: String) throws {
        func document(_ n: Int) -> String {
            switch shape {
            case "keys": (0..<n).map { "k\($0) = \($0)" }.joined(separator: "\n")
            case "long array line": "a = [" + String(repeating: "1, ", count: n) + "]"
            case "long string": "s = \"" + String(repeating: "x", count: n * 10) + "\""
            case "arrays of tables": String(repeating: "[[t]]\nx = 1\n", count: n)
            default: (0..<n).map { "a.b\($0 % 100).c\($0) = 1" }.joined(separator: "\n")
            }
        }
        // The best of three runs at n and 4n: linear ≈ 4×, quadratic ≈ 16×. A ratio of this thread's CPU
        // time, not wall time: other tests and processes share the machine.
        func threadCPU() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        func seconds(_ text: String) throws -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                let start = threadCPU()
                _ = try TOML.parse(text)
                best = min(best, threadCPU() - start)
            }
            return best
        }
        let small = try seconds(document(10_000)), large = try seconds(document(40_000))
        print("\(shape): 10,000 → \(small) s, 40,000 → \(large) s")
        #expect(large / small < 10, "\(shape): \(small) s then \(large) s")
    }

    @Test("random bytes never crash the parser", arguments: 0..<4)
    func randomBytes(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let alphabet = Array("[]{}=.,\"'#\\\n\r\t 01_-+:eExobTZ:abc".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<3_000 {
            let n = Int(rng.next() % 64)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            do { _ = try TOML.parse(bytes: bytes) } catch { #expect(error.line >= 1) }
        }
    }
}

/// A small seeded generator, so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
