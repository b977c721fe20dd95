import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

@Suite("One way to read a number: the configured country code")
struct NumberReadingTests {
    @Test("a config's default_country_code reads national numbers; none means NANP")
    func configuredCountry() throws {
        let uk = try Config.parse(text: "default_country_code = \"44\"\n", file: "uk.toml", baseFolder: "/tmp").numberReading
        #expect(uk.countryCode == "44")
        #expect(uk.read("020 7946 0958") == .e164("+442079460958"))
        #expect(uk.read("415 555 0100") != .e164("+14155550100"), "a NANP-looking national number under 44 is not American")
        #expect(uk.read("+1 415 555 0100") == .e164("+14155550100"))
        let none = try Config.parse(text: "", file: "none.toml", baseFolder: "/tmp").numberReading
        #expect(none.countryCode == "1")
        #expect(none.read("415 555 0100") == .e164("+14155550100"))
    }

    @Test("a registry row and a retention rule read numbers with the same country code")
    func registryAndRules() throws {
        let rows = try RegistryEntry.parse(csv: "tracking_number,campaign,source,medium,valid_from,valid_to\n020 7946 0001,UK,,,,\n",
                                           file: "r.csv", defaultCountryCode: "44", timeZone: TimeZone(identifier: "UTC")!)
        #expect(rows.map(\.trackingNumber) == ["+442079460001"])
        let config = try Config.parse(text: """
            default_country_code = "44"
            [[retention.rules]]
            name = "uk"
            tracking_number = "020 7946 0001"
            keep_audio_days = 1
            keep_record_days = 1
            [[retention.rules]]
            name = "default"
            keep_audio_days = 2
            keep_record_days = 2
            """, file: "c.toml", baseFolder: "/tmp")
        #expect(config.retention?.rules.first?.trackingNumber == "+442079460001")
    }
}
