import CallVaultCore

/// `--caller` and `--tracking-number` as every command reads them: through the config's
/// ``NumberReading`` (its `default_country_code`), so a hold covers exactly what a query with the
/// same text finds.
enum NumberOption {
    /// The value stored numbers are matched against: E.164 when `text` is a valid number, else the
    /// text as written (the worker keeps numbers it cannot normalise as written), with `valid`
    /// false so the command can warn. A withheld word ("anonymous") or empty text is refused.
    static func read(_ text: String, with reading: NumberReading, option: String) throws -> (value: String, valid: Bool) {
        switch reading.read(text) {
        case .e164(let number): return (number, true)
        case .unparseable(let raw): return (raw, false)
        case .withheld: throw CLIError.input("\(option): \(text.debugDescription) is not a number")
        }
    }

    /// The warning printed for a number that is not valid under `reading`.
    static func invalidWarning(_ text: String, option: String, reading: NumberReading) -> String {
        "\(option) \(text.debugDescription) is not a valid phone number (default_country_code \(reading.countryCode)); "
            + "it matches only numbers stored exactly as written"
    }
}
