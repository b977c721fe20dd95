/// The one way every command reads a phone number a person typed or a switch wrote: with the
/// configured `default_country_code` (`Settings.countryCode`: the config's, else the default).
///
/// `hold add --caller`, `query --caller`, registry imports, retention rules and the worker all go
/// through here, so `020 7946 0958` under a UK config means `+442079460958` everywhere, and a
/// hold matches exactly the calls a query with the same text finds.
///
/// ```swift
/// let uk = NumberReading(countryCode: "44")
/// uk.read("020 7946 0958")   // .e164("+442079460958")
/// ```
public struct NumberReading: Sendable, Equatable {
    /// The country code national numbers are read in.
    public let countryCode: String

    public init(countryCode: String) { self.countryCode = countryCode }

    public func read(_ text: String) -> PhoneNumber {
        PhoneNumber.normalise(text, defaultCountryCode: countryCode)
    }
}
