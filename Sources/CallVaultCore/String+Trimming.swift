extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks. Pure Swift: Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString and dominated a 100,000-row registry import.
    public var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
