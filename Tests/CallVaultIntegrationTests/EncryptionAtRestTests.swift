import Foundation
import Testing

/// `[encryption] recipients`: archive files written as `ID.opus.age` while they are encoded, read
/// back by Debian's `age` byte for byte, checked by `verify` (stored SHA-256) and `verify --decrypt`
/// (the Opus's), exported decrypted, played by `serve` with byte ranges, and re-encrypted by
/// `keys rotate` (killed at each step and rerun).
@Suite("encryption at rest: age-encrypted archive files", .serialized,
       .enabled(if: Capabilities.hasAge, "Debian's age and age-keygen are not installed"))
struct EncryptionAtRestTests {
    struct Key {
        var path: String
        var recipient: String
    }

    /// `age-keygen -o NAME.txt` in the fixture's folder (0600, `# public key: age1…`).
    static func keygen(_ f: SpoolFixture, _ name: String) throws -> Key {
        let path = f.root.appendingPathComponent("\(name).txt").path
        let r = try Support.run("age-keygen", ["-o", path])
        try Support.require(r.status == 0, "age-keygen: \(r.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("# public key: age1") })
        return Key(path: path, recipient: String(line.dropFirst("# public key: ".count)))
    }

    /// The fixture's config with `[encryption]` to `key` (identity_file too, when asked).
    static func config(_ f: SpoolFixture, to key: Key, identityFile: String? = nil) throws -> String {
        let path = f.root.appendingPathComponent("callvault.toml").path
        var text = ConfigText.storage + "\n\n[encryption]\nrecipients = [\"\(key.recipient)\"]\n"
        if let identityFile { text += "identity_file = \"\(identityFile)\"\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Two real-speech calls archived encrypted by `run --config`; the second is longer than one
    /// 64 KiB age chunk.
    static func archived(_ f: SpoolFixture, key: Key) throws -> String {
        let config = try config(f, to: key, identityFile: key.path)
        try f.add(stem: "a", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "enc-a"))
        try f.add(stem: "b", fixture: "speech-44100.wav", sidecar: SpoolFixture.sidecar(at: "2026-11-28T15:00:00Z", callID: "enc-b"))
        let r = try f.run(["--config", config])
        try Support.require(r.status == 0, "run: \(r.status) \(r.stderr)")
        return config
    }

    static func show(_ f: SpoolFixture, _ callID: String) throws -> [String: Any] {
        let r = try Support.callvault(["show", callID] + f.storeFlags)
        try Support.require(r.status == 0, "show: \(r.stderr)")
        return try Support.jsonObject(r.stdout)
    }

    /// `age -d -i KEY FILE`'s output, or nil when age refuses.
    static func ageDecrypt(_ file: String, key: String, in f: SpoolFixture) throws -> Data? {
        let out = f.root.appendingPathComponent("age-\(UUID().uuidString.prefix(6)).opus").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try Support.run("age", ["-d", "-i", key, "-o", out, file])
        return r.status == 0 ? FileManager.default.contents(atPath: out) : nil
    }

    static func sha256(_ data: Data, in f: SpoolFixture) throws -> String {
        let path = f.root.appendingPathComponent("h-\(UUID().uuidString.prefix(6))").path
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try f.sha256(path)
    }

    @Test("run with a recipient writes ID.opus.age: age -d gives the Opus byte for byte, with the record's opus_sha256; verify, verify --decrypt and export check both hashes")
    func archiveIsAgeEncrypted() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let key = try Self.keygen(f, "key")
        let config = try Self.archived(f, key: key)
        #expect(try f.invariantViolations() == [])

        var plaintexts: [String: Data] = [:]
        for callID in ["enc-a", "enc-b"] {
            let record = try Self.show(f, callID)
            let file = try Support.field(record, "archive_file", as: String.self)
            let sha = try Support.field(record, "sha256", as: String.self)
            let opusSha = try Support.field(record, "opus_sha256", as: String.self)
            #expect(file.hasSuffix(".opus.age"))
            #expect(try f.sha256(file) == sha, "sha256 is the stored file's")
            #expect(sha != opusSha)
            let stored = try #require(FileManager.default.contents(atPath: file))
            #expect(stored.prefix(22) == Data("age-encryption.org/v1\n".utf8))
            let plain = try #require(try Self.ageDecrypt(file, key: key.path, in: f), "age -d refused \(file)")
            #expect(plain.prefix(4) == Data("OggS".utf8))
            #expect(try Self.sha256(plain, in: f) == opusSha, "opus_sha256 is the plaintext Opus's")
            #expect(!stored.contains(Data("OpusHead".utf8)), "no Opus header readable in the stored file")
            plaintexts[callID] = plain
        }
        #expect((plaintexts["enc-b"]?.count ?? 0) > 65536, "the second call spans several age chunks")

        // verify: stored hashes without a key; --decrypt: the plaintext's, with the flag or the config's identity_file.
        let verify = try Support.callvault(["verify", "--format", "json"] + f.storeFlags)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(try Support.jsonObject(verify.stdout)["decrypted"] == nil)
        for extra in [["--identity", key.path], ["--config", config]] {
            let decrypt = try Support.callvault(["verify", "--decrypt", "--format", "json"] + f.storeFlags + extra)
            #expect(decrypt.status == 0, "\(decrypt.stdout) \(decrypt.stderr)")
            #expect(try Support.jsonObject(decrypt.stdout)["decrypted"] as? Int == 2)
        }
        let stranger = try Self.keygen(f, "stranger")
        let wrong = try Support.callvault(["verify", "--decrypt", "--identity", stranger.path, "--format", "json"] + f.storeFlags)
        #expect(wrong.status == 4)
        #expect((try Support.jsonObject(wrong.stdout)["plaintext_failed"] as? [String])?.count == 2)

        // An identity file others can read is refused, naming it (verify, export, config check).
        let loose = f.root.appendingPathComponent("loose.txt").path
        try FileManager.default.copyItem(atPath: key.path, toPath: loose)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: loose)
        for args in [["verify", "--decrypt", "--identity", loose] + f.storeFlags,
                     ["export", "enc-a", "--to", f.root.appendingPathComponent("x").path, "--identity", loose] + f.storeFlags] {
            let r = try Support.callvault(args)
            #expect(r.status == 2, "\(args[0])")
            #expect(r.stderr.contains(loose) && r.stderr.contains("0600"), "\(r.stderr)")
        }
        let looseConfig = try Self.config(f, to: key, identityFile: loose)
        let check = try Support.callvault(["config", "check", looseConfig])
        #expect(check.status == 2)
        #expect(check.stderr.contains(loose))
        _ = try Self.config(f, to: key, identityFile: key.path)

        // export: as stored without an identity (NAME.opus.age), decrypted with one (NAME.opus).
        let stored = f.root.appendingPathComponent("stored").path
        let asStored = try Support.callvault(["export", "enc-b", "--to", stored] + f.storeFlags)
        #expect(asStored.status == 0, "\(asStored.stderr)")
        let storedCopy = asStored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(storedCopy.hasSuffix(".opus.age"))
        let recordB = try Self.show(f, "enc-b")
        #expect(try f.sha256(storedCopy) == recordB["sha256"] as? String)
        let decrypted = f.root.appendingPathComponent("decrypted").path
        let plainExport = try Support.callvault(["export", "enc-a", "enc-b", "--to", decrypted, "--identity", key.path] + f.storeFlags)
        #expect(plainExport.status == 0, "\(plainExport.stderr)")
        let copies = plainExport.stdout.split(separator: "\n").map(String.init)
        #expect(copies.count == 2)
        for (copy, callID) in zip(copies, ["enc-a", "enc-b"]) {
            let id = try Support.field(try Self.show(f, callID), "id", as: String.self)
            #expect(copy.hasSuffix("_\(id).opus"))
            #expect(FileManager.default.contents(atPath: copy) == plaintexts[callID])
        }
        // The config's identity_file is the default identity: the same plaintext without --identity.
        let byConfig = try Support.callvault(["export", "enc-a", "--to", decrypted + "-config", "--config", config] + f.storeFlags)
        #expect(byConfig.status == 0, "\(byConfig.stderr)")
        let configCopy = byConfig.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(configCopy.hasSuffix(".opus"))
        #expect(FileManager.default.contents(atPath: configCopy) == plaintexts["enc-a"])
        let refused = try Support.callvault(["export", "enc-a", "--to", decrypted + "2", "--identity", stranger.path] + f.storeFlags)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("no match"), "\(refused.stderr)")
        #expect(f.files(in: decrypted + "2").isEmpty, "nothing written when the identity does not match")
    }

    @Test("killed at each step of the encrypted write and rerun: every call archived once, age -d reads each with its opus_sha256",
          arguments: ["worker.after-encode", "worker.after-commit", "worker.after-rename", "after-commit, temporary file deleted"])
    func crashDuringEncryptedWrite(fault: String) throws {
        let f = try SpoolFixture(name: "crash-\(fault)")
        defer { f.remove() }
        let key = try Self.keygen(f, "key")
        let config = try Self.config(f, to: key)
        for i in 0..<3 { try f.add(stem: "k\(i)", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "k\(i)")) }
        let deleteTemporary = fault.hasPrefix("after-commit,")
        let killed = try Support.callvault(["run", "--once", "--workers", "1", "--config", config] + f.flags,
                                           environment: ["CALLVAULT_FAULT": deleteTemporary ? "worker.after-commit" : fault])
        #expect(killed.status == SIGKILL, "killed by its fault point: \(killed.stderr)")
        var recordedBefore: [[String]] = []
        if deleteTemporary {
            recordedBefore = try f.sql("SELECT sha256, opus_sha256 FROM calls")
            let temporaries = f.files(in: f.archive).filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
            try #require(temporaries.count == 1, "\(temporaries)")
            #expect(temporaries[0].contains(".opus.age.tmp-job"))
            try FileManager.default.removeItem(atPath: f.archive + "/" + temporaries[0])
        }
        let rerun = try f.run(["--config", config])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try f.sql("SELECT count(*) FROM calls") == [["3"]])
        #expect(try f.invariantViolations() == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        for row in try f.sql("SELECT archive_path, opus_sha256 FROM calls") {
            #expect(row[0].hasSuffix(".opus.age"))
            let plain = try #require(try Self.ageDecrypt(f.archive + "/" + row[0], key: key.path, in: f))
            #expect(try Self.sha256(plain, in: f) == row[1])
        }
        if deleteTemporary {
            // Encoded and encrypted again: a new file key, so a new stored hash; the same Opus inside.
            let after = try f.sql("SELECT sha256, opus_sha256 FROM calls")
            #expect(after[0][0] != recordedBefore[0][0])
            #expect(after[0][1] == recordedBefore[0][1])
        }
        #expect(try Support.callvault(["verify", "--decrypt", "--identity", key.path] + f.storeFlags).status == 0)
    }

    @Test("no [encryption]: files stay ID.opus and opus_sha256 equals sha256")
    func noKeyNothingChanges() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try f.archive([("p", "speech.wav", "+14155550100", "2026-11-28T14:03:00Z", "+12125550187")])
        let record = try Self.show(f, "p")
        #expect((record["archive_file"] as? String)?.hasSuffix(".opus") == true)
        #expect(record["opus_sha256"] as? String == record["sha256"] as? String)
        let verify = try Support.callvault(["verify", "--decrypt"] + f.storeFlags)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test("serve with identity_file plays encrypted files decrypted: size, ETag and every range are the plaintext Opus's")
    func serveRanges() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let key = try Self.keygen(f, "key")
        let config = try Self.archived(f, key: key)
        try addUser(f, "qa1", role: "qa", password: "qa-password-123")
        let record = try Self.show(f, "enc-b")
        let id = try Support.field(record, "id", as: String.self)
        let plain = try #require(try Self.ageDecrypt(try Support.field(record, "archive_file", as: String.self), key: key.path, in: f))
        try #require(plain.count > 65536 + 1000)

        let server = try LiveServer(f, extra: ["--config", config])
        defer { _ = server.stop() }
        #expect(try server.login("qa1", "qa-password-123").status == 303)
        let whole = try server.request("/calls/\(id)/audio")
        #expect(whole.status == 200)
        #expect(whole.body == plain)
        let opusSha = try Support.field(record, "opus_sha256", as: String.self)
        #expect(whole.headers["etag"] == "\"\(opusSha)\"")
        #expect(whole.headers["content-length"] == "\(plain.count)")
        let n = plain.count
        let ranges: [(String, Range<Int>)] = [
            ("0-99", 0..<100), ("65530-65545", 65530..<65546), ("65536-", 65536..<n), ("-500", (n - 500)..<n),
            ("\(n / 2)-\(n / 2 + 4095)", (n / 2)..<(n / 2 + 4096)), ("1000-\(n + 50)", 1000..<n),
        ]
        for (range, slice) in ranges {
            let part = try server.request("/calls/\(id)/audio", headers: ["Range: bytes=\(range)"])
            #expect(part.status == 206, "\(range)")
            #expect(part.body == plain.subdata(in: slice), "bytes \(range)")
            #expect(part.headers["content-range"] == "bytes \(slice.lowerBound)-\(slice.upperBound - 1)/\(n)")
        }
        #expect(try server.request("/calls/\(id)/audio", headers: ["Range: bytes=\(n)-"]).status == 416)

        // Without identity_file the server cannot play it, and says why.
        let keyless = try LiveServer(f)
        defer { _ = keyless.stop() }
        #expect(try keyless.login("qa1", "qa-password-123").status == 303)
        let refused = try keyless.request("/calls/\(id)/audio")
        #expect(refused.status == 409)
        #expect(refused.text.contains("identity_file"))
    }

    @Test("keys rotate re-encrypts every file to the new key, killed at each step and rerun: old identity refused, new one reads the same Opus, one audit entry per finished run",
          arguments: ["rotate.after-encrypt", "rotate.after-commit", "rotate.after-rename"])
    func rotate(fault: String) throws {
        let f = try SpoolFixture(name: "rotate-\(fault)")
        defer { f.remove() }
        let old = try Self.keygen(f, "old")
        _ = try Self.archived(f, key: old)
        let new = try Self.keygen(f, "new")
        var before: [String: String] = [:]
        for callID in ["enc-a", "enc-b"] { before[callID] = try Support.field(try Self.show(f, callID), "opus_sha256", as: String.self) }

        let args = ["keys", "rotate", "--to", new.recipient, "--identity", old.path, "--by", "ops", "--format", "json"] + f.storeFlags
        let killed = try Support.callvault(args, environment: ["CALLVAULT_FAULT": fault])
        #expect(killed.status != 0, "the fault point \(fault) killed the run")
        let rerun = try Support.callvault(args)
        #expect(rerun.status == 0, "\(rerun.stdout) \(rerun.stderr)")
        let report = try Support.jsonObject(rerun.stdout)
        #expect((report["rotated"] as? Int ?? 0) + (report["skipped"] as? Int ?? 0) == 2)
        #expect((report["failed"] as? [String]) == [])

        #expect(try f.invariantViolations() == [], "each file has its recorded SHA-256, no temporary file is left")
        for callID in ["enc-a", "enc-b"] {
            let record = try Self.show(f, callID)
            let file = try Support.field(record, "archive_file", as: String.self)
            #expect(try Support.field(record, "opus_sha256", as: String.self) == before[callID])
            #expect(try Self.ageDecrypt(file, key: old.path, in: f) == nil, "the old identity no longer opens \(callID)")
            let plain = try #require(try Self.ageDecrypt(file, key: new.path, in: f), "the new identity opens \(callID)")
            #expect(try Self.sha256(plain, in: f) == before[callID])
        }
        let verify = try Support.callvault(["verify", "--decrypt", "--identity", new.path] + f.storeFlags)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let oldVerify = try Support.callvault(["verify", "--decrypt", "--identity", old.path] + f.storeFlags)
        #expect(oldVerify.status == 4)
        let audit = try Support.callvault(["audit", "list", "--action", "keys_rotated", "--format", "json"] + f.storeFlags)
        let entries = try Support.jsonArray(audit.stdout)
        #expect(entries.count == 1, "one entry for the run that finished")

        // A third run finds nothing the old identity opens: all skipped, nothing changed.
        let again = try Support.callvault(args)
        #expect(again.status == 0)
        #expect(try Support.jsonObject(again.stdout)["skipped"] as? Int == 2)
    }
}
