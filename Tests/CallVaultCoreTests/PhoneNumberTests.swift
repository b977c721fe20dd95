import CallVaultCore
import Testing

@Suite("Phone number normalisation")
struct PhoneNumberTests {
    @Test("NANP notations all become E.164", arguments: [
        "(415) 555-0123", "415.555.0123", "+1 415-555-0123", "14155550123", "415 555 0123", "4155550123",
        "+1 (415) 555-0123", "1-415-555-0123", "415-555-0123 x12", "+1.415.555.0123",
    ])
    func nanp(_ text: String) {
        #expect(PhoneNumber.normalise(text) == .e164("+14155550123"))
    }

    @Test("international numbers keep their country code", arguments: [
        ("+44 20 7946 0958", "+442079460958"), ("0044 20 7946 0958", "+442079460958"),
        ("011 44 20 7946 0958", "+442079460958"), ("+33 1 23 45 67 89", "+33123456789"),
        ("+49 30 901820", "+4930901820"),
    ])
    func international(_ text: String, _ expected: String) {
        #expect(PhoneNumber.normalise(text) == .e164(expected))
    }

    @Test("withheld callers become null", arguments: ["anonymous", "Private", "UNKNOWN", "restricted", "", "  "])
    func withheld(_ text: String) {
        #expect(PhoneNumber.normalise(text) == .withheld)
        #expect(PhoneNumber.normalise(text).stored == nil)
    }

    @Test("junk is kept as written and flagged, never dropped", arguments: [
        "call me maybe", "555-0123", "123", "+1 015 555 0123", "(415) 155-0123", "++44", "4155550123456789",
    ])
    func junk(_ text: String) {
        let n = PhoneNumber.normalise(text)
        #expect(!n.isValid)
        #expect(n.stored == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("another default country applies to national numbers")
    func otherDefault() {
        #expect(PhoneNumber.normalise("020 7946 0958", defaultCountryCode: "44") == .e164("+442079460958"))
    }
}
