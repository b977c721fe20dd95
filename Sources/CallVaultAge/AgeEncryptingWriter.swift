import Crypto
import Foundation

/// Encrypts a stream to age v1 for X25519 recipients, in constant memory (one 64 KiB chunk).
///
/// The header goes to `output` at once; each full chunk is sealed and handed on when more bytes
/// follow it, and ``finish()`` seals the rest as the last chunk (a full one if the length is a
/// multiple of 64 KiB, an empty one only for an empty stream), as the age spec requires.
///
///     let writer = try AgeEncryptingWriter(recipients: [recipient]) { try handle.write(contentsOf: $0) }
///     try writer.write(opusPage)
///     try writer.finish()
public final class AgeEncryptingWriter {
    private let output: (Data) throws -> Void
    private let payloadKey: SymmetricKey
    private var pending: [UInt8] = []
    /// Plaintext held until a chunk is full: never more than one chunk (constant memory).
    var pendingByteCount: Int { pending.count }
    private var counter: UInt64 = 0
    private var finished = false

    public init(recipients: [AgeRecipient], output: @escaping (Data) throws -> Void) throws {
        guard !recipients.isEmpty else { throw AgeError(.key, "no recipient to encrypt to") }
        self.output = output
        let fileKey = SymmetricKey(size: .init(bitCount: 128))
        let stanzas = try recipients.map { try X25519Stanza.wrap(fileKey: fileKey, for: $0) }
        var nonce = [UInt8](repeating: 0, count: AgeStream.nonceSize)
        var generator = SystemRandomNumberGenerator()
        for i in nonce.indices { nonce[i] = generator.next() }
        payloadKey = AgeStream.payloadKey(fileKey: fileKey, nonce: nonce)
        pending.reserveCapacity(AgeStream.chunkSize)
        try output(Data(AgeHeader.encode(stanzas: stanzas, fileKey: fileKey) + nonce))
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw AgeError(.io, "write after finish") }
        var offset = 0
        while offset < bytes.count {
            if pending.count == AgeStream.chunkSize {
                // More bytes follow a full chunk, so it is not the last one.
                try output(AgeStream.seal(pending, key: payloadKey, counter: counter, last: false))
                counter += 1
                pending.removeAll(keepingCapacity: true)
            }
            let n = min(bytes.count - offset, AgeStream.chunkSize - pending.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
    }

    /// Seals the last chunk. The caller then flushes, fsyncs and renames its file.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output(AgeStream.seal(pending, key: payloadKey, counter: counter, last: true))
        pending.removeAll()
    }

    /// The header's length in bytes for `recipients` X25519 recipients: the version line (22),
    /// 98 per stanza (arguments line 54, body line 44) and the MAC line (48).
    static func headerLength(recipients: Int) -> Int { 22 + 98 * recipients + 48 }

    /// The whole encryption of `data` in memory (tests and small files).
    public static func encrypt(_ data: Data, to recipients: [AgeRecipient]) throws -> Data {
        var out = Data()
        let writer = try AgeEncryptingWriter(recipients: recipients) { out.append($0) }
        try writer.write(data)
        try writer.finish()
        return out
    }
}
