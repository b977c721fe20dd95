import Crypto
import Foundation
import Testing
@testable import CallVaultAge

/// Both directions against Debian's `age` 1.1.1, and `callvault decrypt` refusing tampered files.
@Suite("interoperability with Debian's age", .enabled(if: AgeTestSupport.hasAge, "Debian's age and age-keygen are not installed"))
struct AgeInteropTests {
    struct Key {
        var path: String
        var recipient: String
    }

    /// `age-keygen -o key.txt`: the file is 0600 and carries the recipient on a `# public key:` line.
    static func keygen(in dir: URL) throws -> Key {
        let path = dir.appendingPathComponent("key.txt").path
        let r = try AgeTestSupport.run("age-keygen", ["-o", path])
        guard r.status == 0 else { throw AgeError(.io, "age-keygen failed: \(r.stderr)") }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("# public key: age1") }) else {
            throw AgeError(.key, "no public key line in \(text)")
        }
        return Key(path: path, recipient: String(line.dropFirst("# public key: ".count)))
    }

    static func sha(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test("age-keygen writes the recipient on a '# public key: age1…' line, and it is the identity's")
    func keygenRecipient() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.keygen(in: dir)
        let identities = try AgeFile.loadIdentities(path: key.path)
        #expect(identities.count == 1)
        #expect(identities[0].recipient.description == key.recipient)
        #expect(try AgeRecipient(key.recipient) == identities[0].recipient)
        let mode = try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a real Opus call encrypted by callvault: age -d gives it back byte for byte, and so does callvault decrypt")
    func opusToAge() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let opus = dir.appendingPathComponent("call.opus").path
        let t = try AgeTestSupport.run(AgeTestSupport.binary, ["transcode", Support.fixture("speech.wav"), opus])
        try #require(t.status == 0, "\(t.stderr)")
        let plain = try Data(contentsOf: URL(fileURLWithPath: opus))
        #expect(plain.count > 10_000 && plain.prefix(4) == Data("OggS".utf8))

        let key = try Self.keygen(in: dir)
        // Streamed from the file through the writer, 4 KiB at a time, straight into the .age file.
        let sealedPath = dir.appendingPathComponent("call.opus.age").path
        _ = FileManager.default.createFile(atPath: sealedPath, contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: sealedPath))
        let writer = try AgeEncryptingWriter(recipients: [try AgeRecipient(key.recipient)]) { try sink.write(contentsOf: $0) }
        let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: opus))
        while let piece = try source.read(upToCount: 4096), !piece.isEmpty { try writer.write(piece) }
        try writer.finish()
        try sink.close()

        let fromAge = dir.appendingPathComponent("age.opus").path
        let d = try AgeTestSupport.run("age", ["-d", "-i", key.path, "-o", fromAge, sealedPath])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromAge)) == plain)

        let fromUs = dir.appendingPathComponent("callvault.opus").path
        let c = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", sealedPath, "--identity", key.path, "-o", fromUs])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromUs)) == plain)
    }

    @Test("callvault encrypts → age -d; age -r encrypts → callvault decrypt (file and stdout)", arguments: [0, 1, 65535, 65536, 65537, 200000])
    func bothDirections(size: Int) throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.keygen(in: dir)
        let plain = AgeTestSupport.bytes(size, seed: UInt64(size) + 11)
        let plainPath = dir.appendingPathComponent("plain").path
        try plain.write(to: URL(fileURLWithPath: plainPath))

        let ours = dir.appendingPathComponent("ours.age").path
        try AgeEncryptingWriter.encrypt(plain, to: [try AgeRecipient(key.recipient)]).write(to: URL(fileURLWithPath: ours))
        let d = try AgeTestSupport.run("age", ["-d", "-i", key.path, ours])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(d.stdout == plain)

        let theirs = dir.appendingPathComponent("theirs.age").path
        let e = try AgeTestSupport.run("age", ["-r", key.recipient, "-o", theirs, plainPath])
        try #require(e.status == 0, "\(e.stderr)")
        let out = dir.appendingPathComponent("out").path
        let c = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", theirs, "--identity", key.path, "-o", out])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == plain)
        let s = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", theirs, "--identity", key.path])
        #expect(s.status == 0 && s.stdout == plain)
    }

    @Test("a file from age -r with a flipped byte anywhere, truncated or extended: exit 2, nothing written")
    func tamperedAgeFiles() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.keygen(in: dir)
        let plain = AgeTestSupport.bytes(200_000, seed: 5)   // chunks 0, 1, 2 full; chunk 3 the last
        let plainPath = dir.appendingPathComponent("plain").path
        try plain.write(to: URL(fileURLWithPath: plainPath))
        let theirs = dir.appendingPathComponent("theirs.age").path
        try #require(try AgeTestSupport.run("age", ["-r", key.recipient, "-o", theirs, plainPath]).status == 0)
        let sealed = try Data(contentsOf: URL(fileURLWithPath: theirs))
        let header = AgeEncryptingWriter.headerLength(recipients: 1)
        #expect(sealed.count == header + 16 + 200_000 + 4 * 16)

        var cases: [(String, Data, String)] = []
        func flipped(_ i: Int) -> Data { var d = sealed; d[i] ^= 0x20; return d }
        cases.append(("version line", flipped(3), "header failure"))
        cases.append(("stanza type", flipped(25), "no match"))        // "X25519" → "x25519": not ours
        // A letter's case flipped (not the last character, whose low bits must stay zero) is still
        // canonical base64: the wrapped key no longer opens, or the MAC no longer matches.
        func letter(in range: Range<Int>) throws -> Int {
            try #require(range.first { (sealed[$0] | 0x20) >= UInt8(ascii: "a") && (sealed[$0] | 0x20) <= UInt8(ascii: "z") })
        }
        cases.append(("wrapped key", flipped(try letter(in: (22 + 54)..<(22 + 54 + 40))), "no match"))
        cases.append(("MAC", flipped(try letter(in: (header - 44)..<(header - 4))), "HMAC failure"))
        cases.append(("payload nonce", flipped(header + 2), "payload failure"))
        for chunk in 0..<4 { cases.append(("chunk \(chunk)", flipped(header + 16 + chunk * 65552 + 100), "payload failure")) }
        cases.append(("last tag", flipped(sealed.count - 1), "payload failure"))
        cases.append(("truncated by 1", sealed.dropLast(), "payload failure"))
        cases.append(("truncated at a chunk boundary", sealed.prefix(header + 16 + 65552), "payload failure"))
        cases.append(("appended byte", sealed + Data([0]), "payload failure"))
        cases.append(("appended chunk", sealed + sealed.suffix(1000), "payload failure"))

        for (name, data, expected) in cases {
            let bad = dir.appendingPathComponent("bad.age").path
            try data.write(to: URL(fileURLWithPath: bad))
            let out = dir.appendingPathComponent("out").path
            let r = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", bad, "--identity", key.path, "-o", out])
            #expect(r.status == 2, "\(name): \(r.stderr)")
            #expect(r.stderr.contains(expected), "\(name): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(name)")
            let s = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", bad, "--identity", key.path])
            #expect(s.status == 2 && s.stdout.isEmpty, "\(name): \(s.stdout.count) bytes on stdout")
            // Debian's age refuses the same file.
            #expect(try AgeTestSupport.run("age", ["-d", "-i", key.path, "-o", out + ".age", bad]).status != 0, "\(name)")
        }
        // No output and no temporary file left behind by any refused case.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!left.contains("out") && !left.contains { $0.contains("decrypting") }, "\(left)")
    }

    @Test("an output that cannot be written is exit 1 (output error), not a verdict on the file")
    func unwritableOutput() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.keygen(in: dir)
        let sealed = dir.appendingPathComponent("x.age").path
        try AgeEncryptingWriter.encrypt(Data("x".utf8), to: [try AgeRecipient(key.recipient)]).write(to: URL(fileURLWithPath: sealed))
        let r = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", sealed, "--identity", key.path, "-o", dir.path + "/no-such-folder/out"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("output error") && r.stderr.contains("no-such-folder"), "\(r.stderr)")
    }

    @Test("an identity file others can read is refused (exit 2, says chmod 600), as is a missing one")
    func identityMode() throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.keygen(in: dir)
        let sealed = dir.appendingPathComponent("x.age").path
        try AgeEncryptingWriter.encrypt(Data("x".utf8), to: [try AgeRecipient(key.recipient)]).write(to: URL(fileURLWithPath: sealed))
        for mode in [0o644, 0o640, 0o604] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: key.path)
            let r = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", sealed, "--identity", key.path])
            #expect(r.status == 2 && r.stdout.isEmpty)
            #expect(r.stderr.contains("key.txt") && r.stderr.contains("must be 0600") && r.stderr.contains(String(mode, radix: 8)), "\(r.stderr)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        #expect(try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", sealed, "--identity", key.path]).stdout == Data("x".utf8))
        let missing = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", sealed, "--identity", dir.path + "/nope.txt"])
        #expect(missing.status == 2 && missing.stderr.contains("nope.txt"))
    }
}
