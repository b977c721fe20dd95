import Crypto
import Foundation
import Testing
@testable import CallVaultAge

/// The C2SP CCTV age test kit (Tests/Fixtures/cctv-age: every non-armored vector with X25519
/// identities, commit noted in its LICENSE file).
@Suite("C2SP CCTV age test vectors")
struct CCTVVectorTests {
    static let vectors: [CCTVVector] = (try? CCTVVector.all()) ?? []

    @Test("the kit is there: 68 vectors of every expected outcome")
    func kitIsComplete() {
        #expect(Self.vectors.count == 68)
        let outcomes = Set(Self.vectors.map(\.expect))
        #expect(outcomes == ["success", "header failure", "HMAC failure", "no match", "payload failure"])
    }

    @Test("the library gives the expected outcome", arguments: vectors)
    func library(vector: CCTVVector) throws {
        let identities = vector.identities.compactMap { try? AgeIdentity($0) }
        #expect(!identities.isEmpty)
        var reader = ByteReader(data: vector.age)
        var released = Data()
        do {
            try AgeDecrypter.decrypt(&reader, identities: identities) { released.append($0) }
            #expect(vector.expect == "success", "decrypted, but the kit expects \(vector.expect)")
            #expect(SHA256.hash(data: released).map { String(format: "%02x", $0) }.joined() == vector.payloadHash)
        } catch let error as AgeError {
            #expect(error.kind.rawValue == vector.expect, "\(error)")
            // The streaming API may have released chunks that authenticated before the failure: the
            // kit's hash covers exactly those (the CLI, below, releases nothing).
            if vector.expect == "payload failure" {
                #expect(SHA256.hash(data: released).map { String(format: "%02x", $0) }.joined() == vector.payloadHash)
            } else {
                #expect(released.isEmpty)
            }
        }
    }

    @Test("callvault decrypt: success to the expected hash, every failure exit 2 with no output", arguments: vectors)
    func command(vector: CCTVVector) throws {
        let dir = try AgeTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.age")
        try vector.age.write(to: input)
        let key = try AgeTestSupport.writeIdentity(vector.identities.filter { $0.hasPrefix("AGE-SECRET-KEY-1") }.joined(separator: "\n") + "\n", in: dir)
        let out = dir.appendingPathComponent("out.bin").path

        let toFile = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", input.path, "--identity", key, "-o", out])
        let toStdout = try AgeTestSupport.run(AgeTestSupport.binary, ["decrypt", input.path, "--identity", key])
        if vector.expect == "success" {
            #expect(toFile.status == 0, "\(toFile.stderr)")
            let written = try Data(contentsOf: URL(fileURLWithPath: out))
            #expect(SHA256.hash(data: written).map { String(format: "%02x", $0) }.joined() == vector.payloadHash)
            #expect(toStdout.status == 0 && toStdout.stdout == written)
        } else {
            #expect(toFile.status == 2)
            #expect(toFile.stderr.contains(vector.expect), "\(toFile.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["in.age", (key as NSString).lastPathComponent].sorted())
            #expect(toStdout.status == 2 && toStdout.stdout.isEmpty)
        }
    }
}
