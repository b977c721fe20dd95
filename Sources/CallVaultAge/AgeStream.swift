import Crypto
import Foundation

/// The STREAM construction of age's payload: 64 KiB chunks, each sealed with ChaCha20-Poly1305
/// under a nonce of an 11-byte big-endian counter and a final byte that is 1 only on the last chunk.
enum AgeStream {
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let nonceSize = 16

    static func payloadKey(fileKey: SymmetricKey, nonce: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Array("payload".utf8), outputByteCount: 32)
    }

    static func nonce(counter: UInt64, last: Bool) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { bytes[10 - i] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(i))) }
        bytes[11] = last ? 1 : 0
        // 12 bytes is ChaChaPoly's nonce size: this cannot throw.
        return try! ChaChaPoly.Nonce(data: bytes)
    }

    static func seal<D: DataProtocol>(_ plaintext: D, key: SymmetricKey, counter: UInt64, last: Bool) throws -> Data {
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce(counter: counter, last: last))
        return box.ciphertext + box.tag
    }

    /// The plaintext, or nil when the chunk does not authenticate under that counter and flag.
    static func open(_ chunk: [UInt8], key: SymmetricKey, counter: UInt64, last: Bool) -> Data? {
        guard chunk.count >= tagSize,
              let box = try? ChaChaPoly.SealedBox(nonce: nonce(counter: counter, last: last),
                                                  ciphertext: chunk[..<(chunk.count - tagSize)],
                                                  tag: chunk[(chunk.count - tagSize)...])
        else { return nil }
        return try? ChaChaPoly.open(box, using: key)
    }
}
