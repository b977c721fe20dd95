import Crypto
import Foundation
import Testing
@testable import CallVaultAge

@Suite("age encryption: STREAM chunks, header, tampering")
struct AgeStreamTests {
    static let sizes = [0, 1, 65535, 65536, 65537, 131072, 200000]

    @Test("encrypt then decrypt gives the bytes back, with the spec's chunk count", arguments: sizes)
    func roundTrip(size: Int) throws {
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(size, seed: UInt64(size))
        let sealed = try AgeEncryptingWriter.encrypt(plain, to: [id.recipient])
        var reader = ByteReader(data: sealed)
        var out = Data()
        try AgeDecrypter.decrypt(&reader, identities: [id]) { out.append($0) }
        #expect(out == plain)
        // Full chunks, plus a last one that is full only when the size is a non-zero multiple of 64 KiB.
        let chunks = max(1, (size + 65535) / 65536)
        var headerReader = ByteReader(data: sealed)
        let header = try AgeHeader.parse(&headerReader)
        let headerLength = header.macInput.count + 1 + 43 + 1
        #expect(sealed.count == headerLength + 16 + size + 16 * chunks)
    }

    @Test("writes of any size split into the same chunks", arguments: [1, 1000, 65536, 70000])
    func piecewiseWrites(piece: Int) throws {
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(200_000, seed: 3)
        var sealed = Data()
        let writer = try AgeEncryptingWriter(recipients: [id.recipient]) { sealed.append($0) }
        var offset = 0
        while offset < plain.count {
            try writer.write(plain[offset..<min(offset + piece, plain.count)])
            offset += piece
        }
        try writer.finish()
        #expect(throws: AgeError.self) { try writer.write(Data([1])) }
        var reader = ByteReader(data: sealed)
        var out = Data()
        try AgeDecrypter.decrypt(&reader, identities: [id]) { out.append($0) }
        #expect(out == plain)
        #expect(sealed.count == AgeEncryptingWriter.headerLength(recipients: 1) + 16 + 200_000 + 16 * 4)
    }

    @Test("several recipients: each identity decrypts, a stranger gets no match")
    func recipients() throws {
        let a = AgeIdentity.generate(), b = AgeIdentity.generate(), stranger = AgeIdentity.generate()
        let sealed = try AgeEncryptingWriter.encrypt(Data("call".utf8), to: [a.recipient, b.recipient])
        for id in [a, b] {
            var reader = ByteReader(data: sealed)
            var out = Data()
            try AgeDecrypter.decrypt(&reader, identities: [stranger, id]) { out.append($0) }
            #expect(out == Data("call".utf8))
        }
        var reader = ByteReader(data: sealed)
        #expect { try AgeDecrypter.decrypt(&reader, identities: [stranger]) { _ in } } throws: { ($0 as? AgeError)?.kind == .noMatch }
    }

    @Test("the header is canonical: our encoder's text parses and re-encodes identically")
    func headerCanonical() throws {
        let ids = (0..<3).map { _ in AgeIdentity.generate() }
        let sealed = try AgeEncryptingWriter.encrypt(Data(), to: ids.map(\.recipient))
        let text = String(decoding: sealed.prefix(32), as: UTF8.self)
        #expect(text.hasPrefix("age-encryption.org/v1\n-> X25519 "))
        var reader = ByteReader(data: sealed)
        let header = try AgeHeader.parse(&reader)
        #expect(header.stanzas.count == 3)
        for stanza in header.stanzas {
            #expect(Array(stanza.encoded().utf8) == Array(sealed[sealed.firstRange(of: Data(stanza.encoded().utf8))!]))
        }
    }

    @Test("a header longer than the limit is refused, not buffered without end")
    func hugeHeader() {
        var data = Data("age-encryption.org/v1\n-> ".utf8)
        data.append(Data(repeating: UInt8(ascii: "a"), count: 2 << 20))
        var reader = ByteReader(data: data)
        #expect { try AgeHeader.parse(&reader) } throws: { ($0 as? AgeError)?.kind == .header }
    }

    /// Every position class where a flipped byte must be refused, for a 200 000-byte payload
    /// (chunks 0..2 full, chunk 3 the short last one).
    @Test("a flipped byte anywhere is refused with the right kind")
    func tampering() throws {
        let id = AgeIdentity.generate()
        let plain = AgeTestSupport.bytes(200_000, seed: 9)
        let sealed = try AgeEncryptingWriter.encrypt(plain, to: [id.recipient])
        let headerLength = AgeEncryptingWriter.headerLength(recipients: 1)
        // Header bytes are flipped as a letter's case (not the last base64 character, whose low bits
        // must stay zero), which keeps the base64 canonical: the change reaches the crypto.
        func letter(in range: Range<Int>) throws -> Int {
            try #require(range.first { (sealed[$0] | 0x20) >= UInt8(ascii: "a") && (sealed[$0] | 0x20) <= UInt8(ascii: "z") })
        }
        let flips: [(Int, UInt8, AgeError.Kind)] = [
            (0, 0x01, .header),                                            // version line
            (try letter(in: 32..<(32 + 40)), 0x20, .noMatch),              // the share: the wrap key changes
            (try letter(in: 76..<(76 + 40)), 0x20, .noMatch),              // the wrapped file key
            (try letter(in: (headerLength - 44)..<(headerLength - 4)), 0x20, .hmac), // the MAC
            (headerLength + 3, 0x01, .payload),                            // the payload nonce changes the payload key
            (headerLength + 16 + 5, 0x01, .payload),                       // chunk 0
            (headerLength + 16 + 65552 + 7, 0x01, .payload),               // chunk 1
            (headerLength + 16 + 2 * 65552 + 65551, 0x01, .payload),       // chunk 2's tag
            (sealed.count - 1, 0x01, .payload),                            // the last chunk's tag
        ]
        for (position, mask, kind) in flips {
            var bad = sealed
            bad[position] ^= mask
            var reader = ByteReader(data: bad)
            do {
                try AgeDecrypter.decrypt(&reader, identities: [id]) { _ in }
                Issue.record("byte \(position) flipped: decrypted anyway")
            } catch let error as AgeError {
                #expect(error.kind == kind, "byte \(position) flipped: \(error)")
            }
        }
        for cut in [headerLength + 8, headerLength + 16, headerLength + 16 + 65552, sealed.count - 1] {
            var reader = ByteReader(data: sealed.prefix(cut))
            #expect(throws: AgeError.self, "truncated at \(cut)") { try AgeDecrypter.decrypt(&reader, identities: [id]) { _ in } }
        }
        var reader = ByteReader(data: sealed + Data([0]))
        #expect { try AgeDecrypter.decrypt(&reader, identities: [id]) { _ in } } throws: { ($0 as? AgeError)?.kind == .payload }
    }
}
