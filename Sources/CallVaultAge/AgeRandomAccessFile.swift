import Crypto
import Foundation

/// Random access to the plaintext of an age file: what `serve` needs to answer a `Range` request
/// on an encrypted archive file without decrypting all of it.
///
/// age's STREAM payload is a sequence of 64 KiB chunks, each sealed on its own under a nonce made
/// of its index and a last-chunk flag, so chunk `i` can be read and authenticated by itself. The
/// header (stanzas and MAC) is checked once when the file is opened; the plaintext size follows
/// from the file size (every chunk adds a 16-byte tag). A read authenticates every chunk it
/// touches, the last one with its last-chunk flag, so a truncated, extended or altered file
/// fails at the first chunk concerned and no unauthenticated byte is returned.
///
/// ```swift
/// let file = try AgeRandomAccessFile(path: "2026/11/29/c0f3….opus.age", identities: identities)
/// let head = try file.read(at: 0, upTo: 4)   // "OggS"
/// ```
public final class AgeRandomAccessFile {
    public let path: String
    /// Bytes of plaintext.
    public let plaintextSize: Int
    private let handle: FileHandle
    private let payloadStart: Int
    private let payloadSize: Int
    private let chunkCount: Int
    private let key: SymmetricKey
    /// The last chunk decrypted (sequential reads of one chunk decrypt it once).
    private var cached: (index: Int, plaintext: Data)?

    public init(path: String, identities: [AgeIdentity]) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AgeError(.io, "\(path): cannot open") }
        self.path = path
        self.handle = handle
        do {
            var reader = ByteReader(fileHandle: handle)
            let header = try AgeHeader.parse(&reader)
            let fileKey = try AgeDecrypter.fileKey(for: header, identities: identities)
            let nonce = try reader.read(upTo: AgeStream.nonceSize)
            guard nonce.count == AgeStream.nonceSize else {
                throw AgeError(.header, "the payload nonce is missing or short (\(nonce.count) of 16 bytes)")
            }
            key = AgeStream.payloadKey(fileKey: fileKey, nonce: nonce)
            payloadStart = reader.consumed
            let fileSize = Int(try handle.seekToEnd())
            payloadSize = fileSize - payloadStart
            let full = AgeStream.chunkSize + AgeStream.tagSize
            guard payloadSize >= AgeStream.tagSize else {
                throw AgeError(.payload, "the payload ends without its final chunk (\(payloadSize) bytes after the header)")
            }
            chunkCount = (payloadSize + full - 1) / full
            let lastSize = payloadSize - (chunkCount - 1) * full
            guard lastSize >= AgeStream.tagSize, chunkCount == 1 || lastSize > AgeStream.tagSize else {
                throw AgeError(.payload, "the last chunk is shorter than its tag or empty (truncated or extended)")
            }
            plaintextSize = payloadSize - chunkCount * AgeStream.tagSize
        } catch {
            try? handle.close()
            if let error = error as? AgeError { throw AgeError(error.kind, "\(path): \(error.message)") }
            throw AgeError(.io, "\(path): \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Up to `count` plaintext bytes from `offset`, never past the chunk that holds `offset` (call
    /// again for more); empty at or past the end. Throws a payload failure when that chunk does
    /// not authenticate.
    public func read(at offset: Int, upTo count: Int) throws -> Data {
        guard offset >= 0, offset < plaintextSize, count > 0 else { return Data() }
        let index = offset / AgeStream.chunkSize
        let plaintext = try chunk(index)
        let start = offset - index * AgeStream.chunkSize
        let end = min(plaintext.count, start + count)
        guard start < end else {
            throw AgeError(.payload, "\(path): chunk \(index) is shorter than the file size implies")
        }
        return plaintext.subdata(in: (plaintext.startIndex + start)..<(plaintext.startIndex + end))
    }

    /// Chunk `index`'s plaintext, authenticated (with the last-chunk flag on the last one).
    private func chunk(_ index: Int) throws -> Data {
        if let cached, cached.index == index { return cached.plaintext }
        let full = AgeStream.chunkSize + AgeStream.tagSize
        let start = index * full
        let length = min(full, payloadSize - start)
        let bytes: [UInt8]
        do {
            try handle.seek(toOffset: UInt64(payloadStart + start))
            bytes = Array(try handle.read(upToCount: length) ?? Data())
        } catch {
            throw AgeError(.io, "\(path): read failed (\(error.localizedDescription))")
        }
        guard bytes.count == length else { throw AgeError(.payload, "\(path): chunk \(index) is cut short (the file shrank)") }
        let last = index == chunkCount - 1
        guard let plaintext = AgeStream.open(bytes, key: key, counter: UInt64(index), last: last) else {
            throw AgeError(.payload, "\(path): chunk \(index) does not authenticate (altered, truncated or extended)")
        }
        cached = (index, plaintext)
        return plaintext
    }
}
