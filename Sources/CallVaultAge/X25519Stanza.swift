import Crypto
import Foundation

/// The `X25519` recipient type: an ephemeral share and the file key wrapped under
/// HKDF-SHA-256(shared secret, salt: share ‖ recipient, info: `age-encryption.org/v1/X25519`).
enum X25519Stanza {
    static let info = Array("age-encryption.org/v1/X25519".utf8)
    private static var zeroNonce: ChaChaPoly.Nonce { try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12)) }

    static func wrap(fileKey: SymmetricKey, for recipient: AgeRecipient) throws -> AgeStanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = Array(ephemeral.publicKey.rawRepresentation)
        let secret = try ephemeral.sharedSecretFromKeyAgreement(with: recipient.publicKey)
        let wrapKey = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + Array(recipient.publicKey.rawRepresentation),
                                                     sharedInfo: info, outputByteCount: 32)
        let box = try fileKey.withUnsafeBytes { try ChaChaPoly.seal(Array($0), using: wrapKey, nonce: zeroNonce) }
        return AgeStanza(type: "X25519", arguments: [AgeBase64.encode(share)], body: Array(box.ciphertext + box.tag))
    }

    /// The share of a well-formed X25519 stanza; a header failure when it is malformed.
    static func validate(_ stanza: AgeStanza, index: Int) throws -> [UInt8] {
        guard stanza.arguments.count == 1 else { throw AgeError(.header, "X25519 stanza \(index): expected one argument, found \(stanza.arguments.count)") }
        guard let share = AgeBase64.decode(Array(stanza.arguments[0].utf8)), share.count == 32 else {
            throw AgeError(.header, "X25519 stanza \(index): the share is not 32 bytes of canonical base64")
        }
        guard stanza.body.count == 32 else { throw AgeError(.header, "X25519 stanza \(index): the wrapped file key is \(stanza.body.count) bytes, not 32") }
        return share
    }

    /// The file key if `identity` opens the stanza; nil if the stanza is for someone else.
    static func unwrap(share: [UInt8], body: [UInt8], identity: AgeIdentity, index: Int) throws -> SymmetricKey? {
        guard let ephemeral = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share),
              let secret = try? identity.privateKey.sharedSecretFromKeyAgreement(with: ephemeral),
              !secret.withUnsafeBytes({ $0.allSatisfy { $0 == 0 } })
        else { throw AgeError(.header, "X25519 stanza \(index): the share is a low-order point (all-zero shared secret)") }
        let wrapKey = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + Array(identity.privateKey.publicKey.rawRepresentation),
                                                     sharedInfo: info, outputByteCount: 32)
        guard let box = try? ChaChaPoly.SealedBox(nonce: zeroNonce, ciphertext: body[..<16], tag: body[16...]),
              let fileKey = try? ChaChaPoly.open(box, using: wrapKey)
        else { return nil }
        return SymmetricKey(data: fileKey)
    }
}
