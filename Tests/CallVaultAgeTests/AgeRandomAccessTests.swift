import CallVaultFiles
import Crypto
import Foundation
import Testing
@testable import CallVaultAge

/// Reading an age file's plaintext by ranges (what `serve` does on encrypted archive files), and
/// writing one through ``AtomicFile`` with the writer as its encoder (what the worker does).
@Suite("age random access and encrypted atomic files")
struct AgeRandomAccessTests {
    static let sizes = [0, 1, 65535, 65536, 65537, 131072, 200000]

    static func sealed(_ plain: Data, to identity: AgeIdentity, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("f-\(plain.count).age").path
        try AgeEncryptingWriter.encrypt(plain, to: [identity.recipient]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every byte of the plaintext through `read(at:upTo:)`, in pieces of `piece`.
    static func readAll(_ file: AgeRandomAccessFile, from start: Int, piece: Int) throws -> Data {
        var out = Data()
        var offset = start
        while offset < file.plaintextSize {
            let bytes = try file.read(at: offset, upTo: piece)
            guard !bytes.isEmpty else { break }
            out.append(bytes)
            offset += bytes.count
        }
        return out
    }

    @Test("the plaintext size follows from the file size, and any range reads the right bytes", arguments: sizes)
    func ranges(size: Int) throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(size, seed: UInt64(size) + 5)
        let file = try AgeRandomAccessFile(path: try Self.sealed(plain, to: id, in: dir), identities: [id])
        #expect(file.plaintextSize == size)
        #expect(try Self.readAll(file, from: 0, piece: 4096) == plain)
        #expect(try Self.readAll(file, from: 0, piece: 1 << 20) == plain)
        for start in [1, 65535, 65536, 65537, size - 1, size / 2] where start >= 0 && start < size {
            #expect(try Self.readAll(file, from: start, piece: 10_000) == plain.subdata(in: start..<size), "from \(start)")
        }
        #expect(try file.read(at: size, upTo: 10).isEmpty)
    }

    @Test("a flipped byte in a chunk fails the reads of that chunk only; a truncated file fails on opening or at its new last chunk")
    func tampering() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(200_000, seed: 9)
        let path = try Self.sealed(plain, to: id, in: dir)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let payloadStart = bytes.count - (plain.count + 4 * 16)
        // Second chunk altered: the first still reads, the second is refused.
        bytes[payloadStart + 65536 + 16 + 100] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try AgeRandomAccessFile(path: path, identities: [id])
        #expect(try file.read(at: 0, upTo: 100) == plain.prefix(100))
        #expect(throws: AgeError.self) { try file.read(at: 65536 + 5, upTo: 10) }

        // Cut at a chunk boundary: the new last chunk was sealed as not-last, so it is refused.
        let whole = try AgeEncryptingWriter.encrypt(plain, to: [id.recipient])
        let cut = whole.prefix(whole.count - (200_000 - 3 * 65536) - 16)
        let cutPath = dir.appendingPathComponent("cut.age").path
        try cut.write(to: URL(fileURLWithPath: cutPath))
        let truncated = try AgeRandomAccessFile(path: cutPath, identities: [id])
        #expect(truncated.plaintextSize == 3 * 65536)
        #expect(try truncated.read(at: 1, upTo: 10) == plain.subdata(in: 1..<11))
        #expect(throws: AgeError.self) { try truncated.read(at: 2 * 65536 + 1, upTo: 10) }
        // Another identity: no match, on opening.
        let other = #expect(throws: AgeError.self) { try AgeRandomAccessFile(path: cutPath, identities: [AgeIdentity.generate()]) }
        #expect(other?.kind == .noMatch)
    }

    @Test("an AtomicFile with the writer as its encoder stores an age file; its digests are the stored file's and the content's", arguments: [0, 1000, 65536, 150_000])
    func atomicFileEncrypts(size: Int) throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(size, seed: 21)
        let path = dir.appendingPathComponent("call.opus.age").path
        let file = try AtomicFile(path: path, mode: 0o640, tag: "t", encoder: AgeEncryptingWriter.encoder(to: [id.recipient]))
        var offset = 0
        while offset < plain.count {  // pages of 3000 bytes, as the Ogg writer hands them
            let end = min(offset + 3000, plain.count)
            try plain[offset..<end].withUnsafeBytes { try file.write($0) }
            offset = end
        }
        let stored = try file.sync()
        #expect(!FileManager.default.fileExists(atPath: path), "nothing at the final name before the rename")
        try file.commitRename()
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(stored == SHA256.hash(data: onDisk).map { String(format: "%02x", $0) }.joined())
        #expect(file.contentSHA256 == SHA256.hash(data: plain).map { String(format: "%02x", $0) }.joined())
        #expect(file.contentBytes == size)
        #expect(file.bytesWritten == onDisk.count)
        var reader = ByteReader(data: onDisk)
        var out = Data()
        try AgeDecrypter.decrypt(&reader, identities: [id]) { out.append($0) }
        #expect(out == plain)
    }
}
