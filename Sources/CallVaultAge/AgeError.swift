/// Why an age file could not be read or written. `kind` is the category the C2SP test kit uses;
/// `message` says what exactly, for an operator.
public struct AgeError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The header does not parse (version, stanza syntax, non-canonical base64, bad X25519 stanza).
        case header = "header failure"
        /// The header parses but no identity unwraps any stanza.
        case noMatch = "no match"
        /// A file key was unwrapped but the header MAC does not match.
        case hmac = "HMAC failure"
        /// The payload does not authenticate all the way to its end (tampered, truncated, extended).
        case payload = "payload failure"
        /// A recipient or identity string is not valid bech32 of the right kind.
        case key = "invalid key"
        /// Reading the input or the identity file failed.
        case io = "I/O error"
        /// Writing the output failed (full disk, read-only folder): the environment, not the file.
        case output = "output error"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
