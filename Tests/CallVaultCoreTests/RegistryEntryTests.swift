import CallVaultCore
import Foundation
import Testing

private let header = "tracking_number,campaign,source,medium,valid_from,valid_to\n"

private func parse(_ body: String) throws -> [RegistryEntry] {
    try RegistryEntry.parse(csv: header + body, file: "reg.csv", defaultCountryCode: "1")
}

private func problem(_ body: String) -> String? {
    do { _ = try parse(body); return nil } catch { return "\(error)" }
}

@Suite("Tracking-number registry CSV")
struct RegistryEntryTests {
    @Test("a call exactly at valid_to belongs to the next campaign; exactly at valid_from to this one")
    func windowEdges() throws {
        let e = try parse("""
        (415) 555-0102,Radio,kfog,radio,2026-06-01,2026-11-25
        415.555.0102,Mailer,usps,print,2026-11-25,
        """)
        let edge = Timestamp.parseInstant("2026-11-25T00:00:00Z")!
        #expect(e[0].trackingNumber == "+14155550102" && e[1].trackingNumber == "+14155550102")
        #expect(!e[0].contains(edge))
        #expect(e[1].contains(edge))
        #expect(e[0].contains(edge.addingTimeInterval(-1)))
        #expect(e[0].contains(Timestamp.parseInstant("2026-06-01T00:00:00Z")!))
        #expect(!e[0].contains(Timestamp.parseInstant("2026-05-31T23:59:59Z")!))
        #expect(e[1].contains(.distantFuture))
    }

    @Test("overlapping windows for one number are rejected with both line numbers")
    func overlaps() {
        let p = problem("""
        4155550100,A,,,2026-01-01,2026-07-01
        4155550101,B,,,,
        +1 415 555 0100,C,,,2026-06-01,
        """)
        #expect(p == "reg.csv:4: valid_from/valid_to: the window for +14155550100 overlaps the one on line 2 (lines 2 and 4)")
        #expect(problem("4155550100,A,,,,\n4155550100,B,,,2030-01-01,\n")?.contains("overlaps") == true)
    }

    @Test("errors name file, line and field", arguments: [
        ("4155550100,A,,,someday,\n", "reg.csv:2: valid_from: \"someday\" is not an ISO date or timestamp"),
        ("not a number,A,,,,\n", "reg.csv:2: tracking_number: \"not a number\" is not a phone number"),
        ("4155550100,,,,,\n", "reg.csv:2: campaign: is empty"),
        ("4155550100,A,,,2026-02-01,2026-01-01\n", "reg.csv:2: valid_to: must be after valid_from"),
        ("4155550100,A\n", "reg.csv:2: 2 fields, the header has 6"),
    ])
    func errors(_ body: String, _ expected: String) {
        #expect(problem(body) == expected)
    }

    @Test("quoted fields with commas, quotes and CRLF line ends")
    func quoting() throws {
        let e = try RegistryEntry.parse(csv: "tracking_number,campaign\r\n4155550100,\"Spring, \"\"Big\"\" Sale\"\r\n", file: "q.csv", defaultCountryCode: "1")
        #expect(e.first?.campaign == "Spring, \"Big\" Sale")
        #expect(e.first?.line == 2)
    }

    @Test("CSV output neutralises formulas but keeps E.164 and numbers", arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""), ("@SUM(A1)", "'@SUM(A1)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"), ("\tx", "'\tx"), ("+14155550123", "+14155550123"), ("-12.5", "-12.5"), ("Search, Brand", "\"Search, Brand\""),
    ])
    func formulaInjection(_ cell: String, _ expected: String) {
        #expect(CSVWriter.line([cell]) == expected)
    }

    @Test("caller geography from libphonenumber's data")
    func geography() {
        #expect(PhoneGeography.lookup("+14155550123") == PhoneGeography(areaCode: "415", region: "California", place: "San Francisco", country: "US"))
        #expect(PhoneGeography.lookup("+14165550123").region == "Ontario")
        #expect(PhoneGeography.lookup("+14165550123").country == "CA")
        #expect(PhoneGeography.lookup("+442079460958") == PhoneGeography(country: "GB"))
        #expect(PhoneGeography.countryName("GB") == "United Kingdom")
        #expect(PhoneGeography.lookup(nil) == PhoneGeography())
    }

    @Test("extra columns are kept as the row's metadata, empty values left out")
    func extraColumns() throws {
        let e = try RegistryEntry.parse(csv: "tracking_number,campaign,notes,agency\n4155550100,A,bought in May,Acme\n4155550101,B,,\n", file: "x.csv", defaultCountryCode: "1")
        #expect(e[0].metadata == ["notes": "bought in May", "agency": "Acme"])
        #expect(e[1].metadata == [:])
    }

    @Test("a repeated or empty column name is refused at line 1", arguments: [
        "tracking_number,campaign,notes,notes\n", "tracking_number,campaign,,x\n",
    ])
    func badHeader(_ csv: String) {
        #expect(throws: ConfigError.self) { try RegistryEntry.parse(csv: csv + "4155550100,A,a,b\n", file: "x.csv", defaultCountryCode: "1") }
    }
}
