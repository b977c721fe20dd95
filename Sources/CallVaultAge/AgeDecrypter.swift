import Crypto
import Foundation

/// Decrypts age v1 files made for X25519 recipients.
///
/// ``decrypt(_:identities:output:)`` hands each chunk's plaintext to `output` as soon as that
/// chunk authenticates and throws at the first failure: a caller that must release nothing
/// unless the whole file authenticates writes to a temporary file (``AgeFile``).
public enum AgeDecrypter {
    /// The file key, after the header parsed, an identity unwrapped a stanza and the MAC matched.
    public static func fileKey(for header: AgeHeader, identities: [AgeIdentity]) throws -> SymmetricKey {
        if header.stanzas.contains(where: { $0.type == "scrypt" }) && header.stanzas.count > 1 {
            throw AgeError(.header, "an scrypt stanza must be the only stanza")
        }
        var x25519: [(index: Int, share: [UInt8], body: [UInt8])] = []
        for (index, stanza) in header.stanzas.enumerated() where stanza.type == "X25519" {
            x25519.append((index + 1, try X25519Stanza.validate(stanza, index: index + 1), stanza.body))
        }
        for stanza in x25519 {
            for identity in identities {
                guard let key = try X25519Stanza.unwrap(share: stanza.share, body: stanza.body, identity: identity, index: stanza.index) else { continue }
                guard header.authenticates(with: key) else { throw AgeError(.hmac, "the header MAC does not match (header altered)") }
                return key
            }
        }
        let types = Set(header.stanzas.map(\.type)).sorted().joined(separator: ", ")
        throw AgeError(.noMatch, "no identity matches any of the \(header.stanzas.count) recipient stanza(s) (types: \(types))")
    }

    /// Decrypts everything `reader` holds, handing plaintext to `output` chunk by chunk.
    public static func decrypt(_ reader: inout ByteReader, identities: [AgeIdentity], output: (Data) throws -> Void) throws {
        let header = try AgeHeader.parse(&reader)
        let fileKey = try fileKey(for: header, identities: identities)
        let nonce = try reader.read(upTo: AgeStream.nonceSize)
        guard nonce.count == AgeStream.nonceSize else { throw AgeError(.header, "the payload nonce is missing or short (\(nonce.count) of 16 bytes)") }
        let key = AgeStream.payloadKey(fileKey: fileKey, nonce: nonce)
        let full = AgeStream.chunkSize + AgeStream.tagSize
        var counter: UInt64 = 0
        while true {
            let chunk = try reader.read(upTo: full)
            guard !chunk.isEmpty else { throw AgeError(.payload, "the payload ends without its final chunk (truncated after chunk \(counter))") }
            var last = chunk.count < full
            if last && counter > 0 && chunk.count == AgeStream.tagSize {
                throw AgeError(.payload, "the last chunk is empty, which only an empty payload may have")
            }
            var plaintext = AgeStream.open(chunk, key: key, counter: counter, last: last)
            if plaintext == nil && !last {
                // A full-size chunk may be the last one (payload a multiple of 64 KiB).
                last = true
                plaintext = AgeStream.open(chunk, key: key, counter: counter, last: true)
            }
            guard let plaintext else { throw AgeError(.payload, "chunk \(counter) does not authenticate (altered or truncated)") }
            if last && counter > 0 && plaintext.isEmpty {
                throw AgeError(.payload, "the last chunk is empty, which only an empty payload may have")
            }
            try output(plaintext)
            if last {
                guard try reader.read(upTo: 1).isEmpty else { throw AgeError(.payload, "data after the final chunk") }
                return
            }
            counter += 1
        }
    }
}
