import Foundation
import Testing
@testable import CallVaultAge

@Suite("bech32 keys and the header's canonical base64")
struct Bech32AndBase64Tests {
    // The C2SP test kit's identity and the recipient age-keygen -y prints for it.
    static let identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

    @Test("an identity round-trips through bech32, upper case, and its recipient is age1…")
    func identityRoundTrip() throws {
        let id = try AgeIdentity(Self.identity)
        #expect(id.secretString == Self.identity)
        let recipient = id.recipient.description
        #expect(recipient.hasPrefix("age1") && recipient.count == 62)
        #expect(try AgeRecipient(recipient) == id.recipient)
        // Case rules as in age: identities upper case, recipients lower case, never mixed.
        #expect(throws: AgeError.self) { try AgeIdentity(Self.identity.lowercased()) }
        #expect(throws: AgeError.self) { try AgeRecipient(recipient.uppercased()) }
        #expect(Bech32.decode(Self.identity.lowercased())?.data == Bech32.decode(Self.identity)?.data)
        let mixed = "AGE-SECRET-KEY-1egTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
        #expect(throws: AgeError.self) { try AgeIdentity(mixed) }
    }

    /// BIP 173's test vectors (those whose data also converts to bytes without stray bits).
    @Test("BIP 173 valid strings decode", arguments: [
        "A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    ])
    func bip173Valid(text: String) {
        #expect(Bech32.decode(text) != nil)
    }

    @Test("BIP 173 invalid strings are refused", arguments: [
        "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "de1lg7wt\u{ff}", "A1G7SGD8", "10a06t8", "1qzzfhee",
        "a12UEL5L", "\u{20}1nwldj5",
    ])
    func bip173Invalid(text: String) {
        #expect(Bech32.decode(text) == nil)
    }

    @Test("every single-character change to a recipient is refused by the checksum")
    func checksum() throws {
        let recipient = Array(AgeIdentity.generate().recipient.description)
        let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        for i in 4..<recipient.count {
            var changed = recipient
            changed[i] = charset[(charset.firstIndex(of: recipient[i])! + 1) % 32]
            #expect(throws: AgeError.self) { try AgeRecipient(String(changed)) }
        }
    }

    @Test("a recipient is not an identity, nor the other way round", arguments: [
        "age1", "", "AGE-SECRET-KEY-1", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq9fmr7z", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    ])
    func refusedKeys(text: String) {
        #expect(throws: AgeError.self) { try AgeRecipient(text) }
        #expect(throws: AgeError.self) { try AgeIdentity(text) }
    }

    @Test("a recipient string is refused as an identity and an identity as a recipient")
    func kindsDoNotMix() throws {
        let id = AgeIdentity.generate()
        #expect(throws: AgeError.self) { try AgeIdentity(id.recipient.description) }
        #expect(throws: AgeError.self) { try AgeRecipient(id.secretString) }
    }

    @Test("base64 is unpadded and canonical", arguments: 0..<40)
    func base64RoundTrip(length: Int) throws {
        let data = Array(AgeTestSupport.bytes(length, seed: UInt64(length + 7)))
        let text = AgeBase64.encode(data)
        #expect(!text.contains("="))
        #expect(text == Data(data).base64EncodedString().replacingOccurrences(of: "=", with: ""))
        #expect(AgeBase64.decode(Array(text.utf8)) == data)
    }

    @Test("non-canonical base64 is refused", arguments: ["AB==", "AB=", "A", "AAAAA", "AB", "AAB", "A-_A", "AA A"])
    func base64Refused(text: String) {
        // "AB" and "AAB" have non-zero trailing bits ("AA" and "AAA" are the canonical ones).
        #expect(AgeBase64.decode(Array(text.utf8)) == nil)
    }

    @Test("an identity file is lines of identities with # comments; a bad line is named")
    func identityFile() throws {
        let ids = try AgeIdentity.parseFile("# created: 2026\n# public key: age1x\n\(Self.identity)\n\n")
        #expect(ids.count == 1)
        #expect(throws: AgeError(.key, "line 2: not a valid bech32 age identity")) { try AgeIdentity.parseFile("# c\nnonsense\n") }
        #expect(throws: AgeError.self) { try AgeIdentity.parseFile("# only a comment\n") }
    }
}
