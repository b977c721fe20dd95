import Crypto
import Foundation

/// An X25519 recipient: `age1…` (bech32 of the 32-byte public key under `age`).
public struct AgeRecipient: Sendable, Equatable, CustomStringConvertible {
    /// The 32 raw bytes (swift-crypto's key types are not `Sendable`).
    public let rawKey: [UInt8]
    public var publicKey: Curve25519.KeyAgreement.PublicKey {
        // Validated when the value was made: cannot fail.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: rawKey)
    }

    /// Parses `age1…`; throws ``AgeError/Kind/key`` naming what is wrong.
    public init(_ text: String) throws {
        guard let (hrp, data) = Bech32.decode(text) else { throw AgeError(.key, "\"\(text)\" is not a valid bech32 age recipient") }
        guard hrp == "age" else { throw AgeError(.key, "\"\(text)\" is not an age1… recipient (prefix \(hrp); age writes recipients in lower case)") }
        guard data.count == 32, (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: data)) != nil else {
            throw AgeError(.key, "\"\(text)\" does not hold a 32-byte X25519 key")
        }
        rawKey = data
    }

    public init(publicKey: Curve25519.KeyAgreement.PublicKey) { rawKey = Array(publicKey.rawRepresentation) }

    public var description: String { Bech32.encode(hrp: "age", data: rawKey) }
}

/// An X25519 identity: `AGE-SECRET-KEY-1…`, as `age-keygen` writes it.
public struct AgeIdentity: Sendable {
    private let rawKey: [UInt8]
    public var privateKey: Curve25519.KeyAgreement.PrivateKey {
        // Validated when the value was made: cannot fail.
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: rawKey)
    }

    public init(_ text: String) throws {
        guard let (hrp, data) = Bech32.decode(text) else { throw AgeError(.key, "not a valid bech32 age identity") }
        guard hrp == "AGE-SECRET-KEY-" else { throw AgeError(.key, "not an AGE-SECRET-KEY-1… identity (age writes identities in upper case)") }
        guard data.count == 32, (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data)) != nil else {
            throw AgeError(.key, "the identity does not hold a 32-byte X25519 key")
        }
        rawKey = data
    }

    public init(privateKey: Curve25519.KeyAgreement.PrivateKey) { rawKey = Array(privateKey.rawRepresentation) }

    /// A new random identity.
    public static func generate() -> AgeIdentity { AgeIdentity(privateKey: .init()) }

    public var recipient: AgeRecipient { AgeRecipient(publicKey: privateKey.publicKey) }

    /// `AGE-SECRET-KEY-1…` (upper case, as age writes it).
    public var secretString: String {
        Bech32.encode(hrp: "age-secret-key-", data: rawKey).uppercased()
    }

    /// The identities of an identity file: one per line; empty lines and `#` comments skipped
    /// (the format `age-keygen` writes). Throws when a line is not an identity or there is none.
    public static func parseFile(_ text: String) throws -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(String(line)))
            } catch let error as AgeError {
                throw AgeError(.key, "line \(number + 1): \(error.message)")
            }
        }
        guard !identities.isEmpty else { throw AgeError(.key, "no AGE-SECRET-KEY-1… identity in the file") }
        return identities
    }
}
