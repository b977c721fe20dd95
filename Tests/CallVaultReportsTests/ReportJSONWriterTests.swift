@testable import CallVaultReports
import CallVaultCore
import Foundation
import Testing

@Suite("Report JSON is written directly, with the bytes JSONEncoder gives")
struct ReportJSONWriterTests {
    @Test("awkward text, numbers, nulls, empty rows and notes: the same bytes as JSONEncoder")
    func sameBytesAsEncoder() throws {
        let awkward = "quote \" backslash \\ slash / tab \t newline \n cr \r bell \u{7} nul \u{0} esc \u{1B} del \u{7F} é 日本 👋 \u{8}\u{C}\u{1F}"
        var table = ReportTable(title: "Title / \(awkward)", columns: ["b_col", "a", "answer_rate", "answered", "Zeta", "_x", "z"])
        table.rows = [
            [.text(awkward), .int(-3), .number(0.123456), .int(Int.max), .null, .number(1), .number(-0.00004)],
            [.text(""), .int(0), .number(2.5), .int(Int.min), .text("/path/x"), .number(1234567.891), .null],
            [.null, .null, .null, .null, .null, .null, .null],
        ]
        table.notes = ["a note", awkward]
        #expect(try table.json() == table.encodedJSON())
        #expect(try ReportTable(title: "empty", columns: ["x", "y"]).json() == ReportTable(title: "empty", columns: ["x", "y"]).encodedJSON())
        #expect(try ReportTable(title: "nothing", columns: []).json() == ReportTable(title: "nothing", columns: []).encodedJSON())
        // Every control character and a range of doubles, one at a time.
        for scalar in (0..<0x80).compactMap(Unicode.Scalar.init) {
            let t = ReportTable(title: "c", columns: ["v"], rows: [[.text(String(Character(scalar)))]])
            #expect(try t.json() == t.encodedJSON(), "U+\(String(scalar.value, radix: 16))")
        }
        var rng = SplitMix(seed: 3)
        let numbers = ReportTable(title: "n", columns: ["v"], rows: (0..<500).map { i in
            let d = Double(Int64(bitPattern: rng.next()) % 10_000_000) / [1, 7, 100, 3, 10_000][i % 5]
            return [.number(d)]
        })
        #expect(try numbers.json() == numbers.encodedJSON())
        // Rates and averages as reports make them (rounded to 4 decimals; the writer formats the
        // plain ones itself), with zeros of both signs and values past an exponent's threshold.
        let averages = ReportTable(title: "a", columns: ["v"], rows: (0..<20_000).map { i in
            let d = Double(Int64(bitPattern: rng.next()) % 100_000_000) / Double(1 + Int(rng.next() % 100_000))
            return [.number(i % 1000 == 0 ? [0, -0.0, 1e16, 1e-5, 123.0][i / 1000 % 5] : d)]
        })
        #expect(try averages.json() == averages.encodedJSON())
    }

    @Test("every report of a random index: the same JSON as JSONEncoder")
    func reportsSameBytes() throws {
        var r = try RandomIndex(seed: 11)
        defer { r.remove() }
        try r.insert(150, from: Clock.epoch("2026-10-25T00:00:00Z"), to: Clock.epoch("2026-11-08T00:00:00Z"))
        let filter = ReportFilter()
        var tables = [try SummaryReport.run(r.index, filter: filter, by: .day), try HoursReport.run(r.index, filter: filter),
                      try AreaCodesReport.run(r.index, filter: filter),
                      try MissedReport.run(r.index, filter: filter, unreturnedOnly: false),
                      try DeadAirReport.run(r.index, filter: filter, thresholdMs: 10_000)]
        let (callers, top) = try CallersReport.run(r.index, filter: filter, top: 5)
        tables += [callers, top]
        for table in tables {
            #expect(table.rows.count > 1, "\(table.title) has rows")
            #expect(try table.json() == table.encodedJSON(), "\(table.title)")
        }
    }
}
