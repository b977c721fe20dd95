import CallVaultCore
import Testing

@Suite("Phone number normalisation")
struct PhoneNumberTests {
    @Test("NANP notations all become E.164", arguments: [
        "(415) 555-0123", "415.555.0123", "+1 415-555-0123", "14155550123", "415 555 0123", "4155550123",
        "+1 (415) 555-0123", "1-415-555-0123", "415-555-0123 x12", "+1.415.555.0123",
    ])
    func nanp(_ text: String) {
        #expect(PhoneNumber.normalise(text, defaultCountryCode: "1") == .e164("+14155550123"))
    }

    @Test("international numbers keep their country code", arguments: [
        ("+44 20 7946 0958", "+442079460958"), ("0044 20 7946 0958", "+442079460958"),
        ("011 44 20 7946 0958", "+442079460958"), ("+33 1 23 45 67 89", "+33123456789"),
        ("+49 30 901820", "+4930901820"),
    ])
    func international(_ text: String, _ expected: String) {
        #expect(PhoneNumber.normalise(text, defaultCountryCode: "1") == .e164(expected))
    }

    @Test("withheld callers become null", arguments: ["anonymous", "Private", "UNKNOWN", "restricted", "", "  "])
    func withheld(_ text: String) {
        #expect(PhoneNumber.normalise(text, defaultCountryCode: "1") == .withheld)
        #expect(PhoneNumber.normalise(text, defaultCountryCode: "1").stored == nil)
    }

    @Test("junk is kept as written and flagged, never dropped", arguments: [
        "call me maybe", "555-0123", "123", "+1 015 555 0123", "(415) 155-0123", "++44", "4155550123456789",
    ])
    func junk(_ text: String) {
        let n = PhoneNumber.normalise(text, defaultCountryCode: "1")
        #expect(!n.isValid)
        #expect(n.stored == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("another default country applies to national numbers")
    func otherDefault() {
        #expect(PhoneNumber.normalise("020 7946 0958", defaultCountryCode: "44") == .e164("+442079460958"))
    }

    @Test("UK notations: a bracketed trunk, a country code without +, a trunk after +44", arguments: [
        "+44 (0)20 7946 0958", "442079460958", "020 7946 0958", "+44 020 7946 0958", "0044 (0)20 7946 0958",
        "20 7946 0958",
    ])
    func ukNotations(_ text: String) {
        #expect(PhoneNumber.normalise(text, defaultCountryCode: "44") == .e164("+442079460958"))
    }

    @Test("lengths a country never uses are not valid", arguments: [
        ("+44 20 7946 09581", "1"), ("+4402079460958123", "1"), ("020 7946 09", "44"), ("+33 1 23 45 67 8", "1"),
    ])
    func wrongLengths(_ text: String, _ country: String) {
        #expect(!PhoneNumber.normalise(text, defaultCountryCode: country).isValid)
    }

    @Test("a country that keeps its leading 0 (Italy) keeps it")
    func italy() {
        #expect(PhoneNumber.normalise("+39 06 6982 1234", defaultCountryCode: "1") == .e164("+390669821234"))
        #expect(PhoneNumber.normalise("06 6982 1234", defaultCountryCode: "39") == .e164("+390669821234"))
        #expect(PhoneNumber.normalise("+39 (0)6 6982 1234", defaultCountryCode: "1") == .e164("+390669821234"), "Italy's 0 is dialled from abroad too")
    }

    @Test("a NANP-looking number under a UK default is not a US number")
    func nanpUnderUK() {
        #expect(PhoneNumber.normalise("415 555 0100", defaultCountryCode: "44") != .e164("+14155550100"))
    }
}

@Suite("Spool, archive and index layout")
struct StorageLayoutTests {
    @Test("overlapping folders are refused", arguments: [
        ("/d/x", "/d/x", "/d/i.sqlite"), ("/d/archive/spool", "/d/archive", "/d/i.sqlite"),
        ("/d/spool", "/d/spool/archive", "/d/i.sqlite"), ("/d/spool", "/d/archive", "/d/spool/i.sqlite"),
        ("/d/spool", "/d/archive", "/d/archive/i.sqlite"), ("/d/spool/", "/d/./spool", "/d/i.sqlite"),
    ])
    func overlapping(_ spool: String, _ archive: String, _ database: String) {
        #expect(StorageLayout.problem(spool: spool, archive: archive, database: database) != nil)
    }

    @Test("folders side by side are fine, even with a common prefix")
    func apart() {
        #expect(StorageLayout.problem(spool: "/d/spool", archive: "/d/spool2", database: "/d/spool.sqlite") == nil)
        #expect(StorageLayout.problem(spool: "/srv/calls/spool", archive: "/srv/calls/archive", database: "/srv/calls/index.sqlite") == nil)
    }
}
