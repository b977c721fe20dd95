import CallVaultCore
import Foundation
import Testing

private func problem(_ text: String, countryCode: String = "1") -> String? {
    do { _ = try CallerDirectoryEntry.parse(csv: text, file: "dir.csv", defaultCountryCode: countryCode); return nil } catch { return "\(error)" }
}

@Suite("Caller directory CSV")
struct CallerDirectoryEntryTests {
    @Test("national and formatted numbers become E.164 under the configured country code")
    func normalises() throws {
        let us = try CallerDirectoryEntry.parse(csv: "number,name\n(212) 555-0187,Ada\n646.555.0170,Grace\n+44 20 7946 0958,Alan\n",
                                                file: "dir.csv", defaultCountryCode: "1")
        #expect(us.map(\.number) == ["+12125550187", "+16465550170", "+442079460958"])
        let uk = try CallerDirectoryEntry.parse(csv: "number\n020 7946 0958\n", file: "dir.csv", defaultCountryCode: "44")
        #expect(uk.map(\.number) == ["+442079460958"])
    }

    @Test("every column is read, in any order; empty and missing cells are nil; quoted commas and spaces kept")
    func fields() throws {
        let e = try CallerDirectoryEntry.parse(csv: """
            email,customer_id,country,postal_code,region,city,address,company,name,number
            ada@example.com,C-1,GB,SW1Y 4JH,,London,"12 St James's Square, Flat 2", Analytical Engines ,Ada Lovelace,2125550187
            ,,,,,,,,,6465550170
            """, file: "dir.csv", defaultCountryCode: "1")
        #expect(e[0] == CallerDirectoryEntry(number: "+12125550187", name: "Ada Lovelace", company: "Analytical Engines",
                                             address: "12 St James's Square, Flat 2", city: "London", region: nil, postalCode: "SW1Y 4JH",
                                             country: "GB", customerID: "C-1", email: "ada@example.com"))
        #expect(e[1] == CallerDirectoryEntry(number: "+16465550170"))
        let minimal = try CallerDirectoryEntry.parse(csv: "number,name\n2125550187,Ada\n", file: "d.csv", defaultCountryCode: "1")
        #expect(minimal == [CallerDirectoryEntry(number: "+12125550187", name: "Ada")])
    }

    @Test("every problem names FILE:LINE: field", arguments: [
        ("number,name\n2125550187,A\nfoo,B\n", "dir.csv:3: number: \"foo\" is not a phone number"),
        ("number,name\n,A\n", "dir.csv:2: number: is empty"),
        ("number,name\nanonymous,A\n", "dir.csv:2: number: \"anonymous\" is not a phone number"),
        ("number,name\n(212) 555-0187,A\n+12125550187,B\n", "dir.csv:3: number: +12125550187 is already on line 2 (one row per number)"),
        ("number,name\n2125550187,A\n\n\"x\",B\n", "dir.csv:4: number: \"x\" is not a phone number"),
        ("name,city\nA,B\n", "dir.csv:1: the header lacks the column number (expected number,name,company,address,city,region,postal_code,country,customer_id,email)"),
        ("number,name,notes\n2125550187,A,x\n", "dir.csv:1: the column \"notes\" is not one of number,name,company,address,city,region,postal_code,country,customer_id,email"),
        ("number,name,name\n2125550187,A,B\n", "dir.csv:1: the column \"name\" appears twice"),
        ("number,name\n2125550187\n", "dir.csv:2: 1 fields, the header has 2"),
        ("number,email\n2125550187,ada.example.com\n", "dir.csv:2: email: \"ada.example.com\" is not an email address"),
        ("number,name\n2125550187,\"A\tB\"\n", "dir.csv:2: name: contains the control character U+0009 (a line break or tab inside a field breaks every table and report)"),
        ("number,city\n2125550187,\(String(repeating: "x", count: 201))\n", "dir.csv:2: city: longer than 200 characters"),
    ])
    func problems(text: String, expected: String) {
        #expect(problem(text) == expected)
    }

    @Test("caller_directory objects always carry every key, null when empty")
    func encodesEveryKey() throws {
        let data = try JSONEncoder().encode(CallerDirectoryEntry(number: "+12125550187", name: "Ada"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(CallerDirectoryEntry.columns))
        #expect(object["name"] as? String == "Ada" && object["email"] is NSNull)
    }
}
