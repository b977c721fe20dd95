import Foundation
import Testing

/// Real calls under a legal hold, exported as evidence bundles and checked with independent tools
/// (`sha256sum -c`, `sqlite3`, Debian's `age`).
@Suite("export --bundle: evidence anyone can check", .serialized)
struct EvidenceBundleTests {
    /// Three archived calls, two of them under the hold CASE-5; the config beside them.
    private func fixture(_ name: String = #function) throws -> (SpoolFixture, config: String) {
        let f = try SpoolFixture(name: name)
        let config = f.root.appendingPathComponent("callvault.toml").path
        try "\(ConfigText.storage)\n".write(toFile: config, atomically: true, encoding: .utf8)
        try f.archive([("e1", "speech.wav", "+14155550101", "2026-01-10T12:00:00Z", "(212) 555-0187"),
                       ("e2", "missed.wav", "+14155550101", "2026-01-11T12:00:00Z", "(212) 555-0187"),
                       ("e3", "speech.wav", "+14155550102", "2026-01-12T12:00:00Z", "(312) 555-0143")])
        let hold = try Support.callvault(["hold", "add", "CASE-5", "--reason", "Smith v. Acme", "--caller", "(212) 555-0187", "--config", config])
        try Support.require(hold.status == 0, hold.stderr)
        return (f, config)
    }

    @Test("a hold's bundle: sha256sum -c passes, manifest records equal query's JSON and their hashes the files, audit and verify inside, the export audited; a non-empty folder is refused")
    func holdBundle() throws {
        let (f, config) = try fixture()
        defer { f.remove() }
        let dir = f.root.appendingPathComponent("case-5").path
        let r = try Support.callvault(["export", "--bundle", dir, "--hold", "CASE-5", "--config", config])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let files = f.files(in: dir)
        let ids = try f.sql("SELECT id FROM calls WHERE call_id IN ('e1', 'e2') ORDER BY started_at").map { $0[0] }
        #expect(files == ["SHA256SUMS"] + ids.sorted().map { "audio/\($0).opus" } + ["audit.csv", "audit.json", "index.html",
                          "manifest.json", "verify.json"])
        let check = try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.split(separator: "\n").count == 7, "every file but SHA256SUMS is listed: \(check.stdout)")

        let manifest = try Support.jsonObject(try String(contentsOfFile: dir + "/manifest.json", encoding: .utf8))
        #expect(manifest["selection"] as? String == "hold CASE-5" && manifest["call_count"] as? Int == 2)
        let calls = try Support.field(manifest, "calls", as: [[String: Any]].self)
        let query = try Support.jsonArray(try Support.callvault(["query", "--caller", "(212) 555-0187", "--format", "json", "--config", config]).stdout)
        for call in calls {
            let file = try Support.field(call, "file", as: String.self)
            #expect(try f.sha256(dir + "/" + file) == call["sha256"] as? String)
            let record = try Support.field(call, "record", as: [String: Any].self)
            #expect(record["sha256"] as? String == call["sha256"] as? String, "the bundled file is the archived file")
            let fromQuery = try #require(query.first { $0["id"] as? String == call["id"] as? String })
            #expect(Set(record.keys) == Set(fromQuery.keys), "the manifest's record has query --format json's fields")
            // Compared as canonical JSON text (Foundation on Linux does not compare boxed Bools as equal).
            func canonical(_ value: Any?) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: [value ?? NSNull()], options: [.sortedKeys]), as: UTF8.self)
            }
            let differing = try record.keys.filter { try canonical(record[$0]) != canonical(fromQuery[$0]) }
            #expect(differing.isEmpty, "the manifest's record is query --format json's object; these differ: \(differing.sorted())")
            #expect(record["holds"] as? [String] == ["CASE-5"])
        }

        let audit = try Support.jsonArray(try String(contentsOfFile: dir + "/audit.json", encoding: .utf8))
        #expect(audit.contains { $0["action"] as? String == "hold_added" })
        #expect(try String(contentsOfFile: dir + "/audit.csv", encoding: .utf8).hasPrefix("seq,at,action,ids,reason,sha256,version,os_user,details,prev_hash,hash\n"))
        let verify = try Support.jsonObject(try String(contentsOfFile: dir + "/verify.json", encoding: .utf8))
        #expect(verify["clean"] as? Bool == true)
        #expect(try Support.field(verify, "files", as: [[String: Any]].self).map { $0["status"] as? String } == ["ok", "ok"])
        let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        #expect(html.contains("<audio") && html.contains("audio/\(ids[0]).opus") && html.contains("Smith v. Acme"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "offline: no script, no network")

        // The export is an access entry naming the calls, with the SHA-256 of the bundle's SHA256SUMS.
        let sums = try f.sha256(dir + "/SHA256SUMS")
        let entry = try f.sql("SELECT ids, sha256, json_extract(details, '$.kind') FROM audit WHERE action = 'access' ORDER BY seq DESC LIMIT 1")
        #expect(entry == [["[\"\(ids[0])\",\"\(ids[1])\"]", sums, "export"]])
        // A second bundle carries the first export among the calls' accesses.
        let again = f.root.appendingPathComponent("again").path
        #expect(try Support.callvault(["export", "--bundle", again, ids[0], "--config", config]).status == 0)
        let second = try Support.jsonArray(try String(contentsOfFile: again + "/audit.json", encoding: .utf8))
        #expect(second.contains { $0["action"] as? String == "access" && $0["sha256"] as? String == sums })

        let refused = try Support.callvault(["export", "--bundle", dir, "--hold", "CASE-5", "--config", config])
        #expect(refused.status == 2 && refused.stderr.contains("not empty"), "\(refused.stderr)")
        #expect(f.files(in: f.root.path).filter { $0.contains("bundle-tmp") }.isEmpty, "no temporary folder left")
    }

    @Test("query filters choose the calls; an altered archive file is reported in verify.json, left out, and exits 4")
    func filtersAndAlteredFile() throws {
        let (f, config) = try fixture()
        defer { f.remove() }
        let e3 = try #require(try f.sql("SELECT id, archive_path FROM calls WHERE call_id = 'e3'").first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: f.archive + "/" + e3[1]))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: f.archive + "/" + e3[1]))
        let dir = f.root.appendingPathComponent("q").path
        let r = try Support.callvault(["export", "--bundle", dir, "--tracking-number", "+1 415 555 0102", "--config", config])
        #expect(r.status == 4, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("does not match"))
        let verify = try Support.jsonObject(try String(contentsOfFile: dir + "/verify.json", encoding: .utf8))
        let file = try #require(try Support.field(verify, "files", as: [[String: Any]].self).first)
        #expect(file["id"] as? String == e3[0] && file["status"] as? String == "altered" && verify["clean"] as? Bool == false)
        #expect(f.files(in: dir + "/audio").isEmpty)
        #expect(try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: dir).status == 0)
    }

    @Test("an archive file stored as age is decrypted with --identity (the plaintext's hash is the Opus file's), bundled as stored without",
          .enabled(if: Support.which("age") != nil && Support.which("age-keygen") != nil))
    func ageFiles() throws {
        let (f, config) = try fixture()
        defer { f.remove() }
        let key = f.root.appendingPathComponent("key.txt").path
        #expect(try Support.run("age-keygen", ["-o", key]).status == 0)
        chmod(key, 0o600)
        let recipient = try #require(try String(contentsOfFile: key, encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("# public key: ") }?.dropFirst("# public key: ".count))
        let row = try #require(try f.sql("SELECT id, archive_path, sha256 FROM calls WHERE call_id = 'e1'").first)
        let plain = f.archive + "/" + row[1]
        #expect(try Support.run("age", ["-r", String(recipient), "-o", plain + ".age", plain]).status == 0)
        try FileManager.default.removeItem(atPath: plain)
        let stored = try f.sha256(plain + ".age")
        #expect(try Support.run("sqlite3", [f.database, "UPDATE calls SET archive_path = archive_path || '.age', sha256 = '\(stored)' WHERE id = '\(row[0])'"]).status == 0)

        let decrypted = f.root.appendingPathComponent("dec").path
        let r = try Support.callvault(["export", "--bundle", decrypted, row[0], "--identity", key, "--config", config])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try f.sha256(decrypted + "/audio/\(row[0]).opus") == row[2], "the plaintext is the Opus file archived")
        #expect(try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: decrypted).status == 0)

        let asStored = f.root.appendingPathComponent("stored").path
        #expect(try Support.callvault(["export", "--bundle", asStored, row[0], "--config", config]).status == 0)
        #expect(try f.sha256(asStored + "/audio/\(row[0]).opus.age") == stored)
    }
}
