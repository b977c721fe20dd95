import Foundation
import Testing

private let policy = "\n" + ConfigText.threeRetentionRules + "\n"

/// A real index: answered, missed and abandoned calls on a compliance number and an ordinary one.
private struct RetentionFixture {
    let f: SpoolFixture
    var config: String { f.root.appendingPathComponent("callvault.toml").path }

    init(name: String = #function) throws {
        f = try SpoolFixture(name: name)
        try writeConfig(policy)
        let registry = f.root.appendingPathComponent("registry.csv").path
        try "tracking_number,campaign,source,medium,valid_from,valid_to\n+14155550100,Compliance-Q1,google,cpc,,\n+14155550101,Search,google,cpc,,\n"
            .write(toFile: registry, atomically: true, encoding: .utf8)
        #expect(try Support.callvault(["numbers", "import", registry, "--config", config]).status == 0)
        let calls: [(String, String, String, String)] = [
            ("ans", "speech.wav", "+14155550101", "(212) 555-0187"),
            ("miss", "missed.wav", "+14155550101", "(212) 555-0187"),
            ("aban", "abandoned.wav", "+14155550101", "(312) 555-0143"),
            ("comp", "missed.wav", "+14155550100", "(212) 555-0187"),
            ("held", "missed.wav", "+14155550101", "(646) 555-0170"),
        ]
        for (stem, fixture, number, caller) in calls {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: "2026-01-10T12:00:00Z", callID: stem, extra: ["caller": caller]))
        }
        let r = try Support.callvault(["run", "--once", "--config", config])
        #expect(r.status == 0, "\(r.stderr)")
    }

    func writeConfig(_ retention: String) throws {
        try """
        \(ConfigText.storage)
        \(retention)
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func apply(_ now: String, _ extra: [String] = [], environment: [String: String]? = nil) throws -> Support.Result {
        try Support.callvault(["retention", "apply", "--config", config, "--now", now] + extra, environment: environment)
    }

    func purged() throws -> Set<String> { Set(try f.sql("SELECT call_id FROM calls WHERE audio_purged_at IS NOT NULL").map { $0[0] }) }
    func records() throws -> Set<String> { Set(try f.sql("SELECT call_id FROM calls").map { $0[0] }) }
    /// Everything a clean run determines: rows with their purge state, files on disk, audit actions.
    func state() throws -> [String] {
        try f.sql("SELECT call_id, audio_purged_at IS NOT NULL, retain_audio_until, retain_record_until FROM calls ORDER BY call_id").map { $0.joined(separator: " ") }
            + f.files(in: f.archive)
            + f.sql("SELECT action, ids, reason, sha256 FROM audit ORDER BY seq").map { $0.joined(separator: " ") }
    }
}

@Suite("Retention, legal holds, verify and audit on a real index", .serialized)
struct RetentionTests {
    @Test("each rule applies at its edge: one second before nothing, at the instant the audio goes, then the record")
    func edges() throws {
        let r = try RetentionFixture()
        defer { r.f.remove() }
        #expect(try r.f.sql("SELECT retention_rule, retain_audio_until FROM calls WHERE call_id = 'miss'") == [["unanswered", "2026-02-09T12:00:00Z"]])
        #expect(try r.f.sql("SELECT retention_rule FROM calls WHERE call_id = 'comp'") == [["compliance"]])
        #expect(try r.apply("2026-02-09T11:59:59Z").status == 0)
        #expect(try r.purged().isEmpty)
        let dry = try r.apply("2026-02-09T12:00:00Z", ["--dry-run", "--format", "json"])
        let plan = try Support.jsonObject(dry.stdout)
        #expect(plan["calls"] as? Int == 3)
        #expect(try r.purged().isEmpty, "a dry run changed something")
        #expect(try r.apply("2026-02-09T12:00:00Z").status == 0)
        #expect(try r.purged() == ["miss", "aban", "held"])
        for id in try r.f.sql("SELECT archive_path FROM calls WHERE audio_purged_at IS NOT NULL") {
            #expect(!FileManager.default.fileExists(atPath: r.f.archive + "/" + id[0]))
        }
        #expect(try r.apply("2026-04-10T11:59:59Z").status == 0)
        #expect(try r.records().count == 5)
        #expect(try r.apply("2026-04-10T12:00:00Z").status == 0)
        #expect(try r.records() == ["ans", "comp"])
        #expect(try r.apply("2027-01-10T12:00:00Z").status == 0)
        #expect(try r.purged() == ["ans"])
        #expect(try r.apply("2033-01-10T11:59:59Z").status == 0)
        #expect(try r.records() == ["comp"], "compliance keeps 7 years (2557 days)")
        let actions = try r.f.sql("SELECT action, count(*) FROM audit GROUP BY action ORDER BY action")
        #expect(actions == [["audio_deleted", "4"], ["policy_set", "1"], ["record_deleted", "4"]])
        #expect(try Support.callvault(["verify", "--config", r.config]).status == 0)
        #expect(try r.apply("2033-01-10T12:00:00Z").status == 0)
        #expect(try r.records().isEmpty)
    }

    @Test("a hold blocks deletion, covers a call that arrives later, and its removal lets policy apply again")
    func holds() throws {
        let r = try RetentionFixture()
        defer { r.f.remove() }
        let add = try Support.callvault(["hold", "add", "CASE-7", "--reason", "Smith v. Acme", "--by", "counsel",
                                         "--caller", "646.555.0170", "--config", r.config])
        #expect(add.status == 0 && add.stdout.contains("covers 1 calls"), "\(add.stdout)\(add.stderr)")
        try r.f.add(stem: "late", fixture: "missed.wav", sidecar: SpoolFixture.sidecar("+14155550101", at: "2026-01-11T09:00:00Z",
                                                                                      callID: "late", extra: ["caller": "+1 646 555 0170"]))
        #expect(try Support.callvault(["run", "--once", "--config", r.config]).status == 0)
        let applied = try r.apply("2030-01-01T00:00:00Z")
        #expect(applied.stdout.contains("2 held calls skipped"), "\(applied.stdout)")
        #expect(try r.records() == ["held", "late", "comp"])
        #expect(try r.purged() == [])
        let list = try Support.jsonArray(try Support.callvault(["hold", "list", "--config", r.config, "--format", "json"]).stdout)
        #expect(list.first?["calls"] as? Int == 2 && list.first?["placed_by"] as? String == "counsel")
        #expect(try Support.callvault(["hold", "remove", "CASE-7", "--reason", "settled", "--config", r.config]).status == 0)
        #expect(try r.apply("2030-01-01T00:00:00Z").status == 0)
        #expect(try r.records() == ["comp"])
        let holdAudit = try r.f.sql("SELECT action, reason FROM audit WHERE action LIKE 'hold%' ORDER BY seq")
        #expect(holdAudit == [["hold_added", "Smith v. Acme"], ["hold_removed", "settled"]])
    }

    @Test("a policy change recomputes every call's dates at the next apply, and is audited")
    func policyChange() throws {
        let r = try RetentionFixture()
        defer { r.f.remove() }
        #expect(try r.apply("2026-01-20T00:00:00Z").status == 0)
        try r.writeConfig(policy.replacingOccurrences(of: "keep_audio_days = 30", with: "keep_audio_days = 60"))
        let out = try r.apply("2026-01-20T00:00:00Z", ["--format", "json"])
        let summary = try Support.jsonObject(out.stdout)
        #expect(summary["dates_recomputed"] as? Int == 3)
        #expect(summary["policy_changed"] as? Bool == true)
        #expect(try r.f.sql("SELECT retain_audio_until FROM calls WHERE call_id = 'miss'") == [["2026-03-11T12:00:00Z"]])
        #expect(try r.f.sql("SELECT count(*) FROM audit WHERE action = 'policy_changed'") == [["1"]])
        try r.writeConfig(policy.replacingOccurrences(of: "keep_record_days = 90", with: "keep_record_days = 10"))
        let check = try Support.callvault(["config", "check", r.config])
        #expect(check.status == 2 && check.stderr.contains("keeps the record (10 days) shorter than the audio (30 days)"), "\(check.stderr)")
        try r.writeConfig(policy.replacingOccurrences(of: "name = \"default\"\n", with: "name = \"default\"\noutcome = \"answered\"\n"))
        #expect(try Support.callvault(["config", "check", r.config]).stderr.contains("no default rule"))
    }

    @Test("apply killed at each step, then rerun, ends exactly where one clean run ends",
          arguments: ["retention.after-audio-commit@1", "retention.after-unlink@2", "retention.after-record-delete@1",
                      "retention.after-audio-commit@3"])
    func killAndRerun(fault: String) throws {
        let clean = try RetentionFixture(name: "clean")
        defer { clean.f.remove() }
        #expect(try clean.apply("2026-06-01T00:00:00Z").status == 0)

        let crashed = try RetentionFixture(name: "crashed")
        defer { crashed.f.remove() }
        let killed = try crashed.apply("2026-06-01T00:00:00Z", environment: ["CALLVAULT_FAULT": fault])
        #expect(killed.status != 0, "the fault point \(fault) was not reached")
        #expect(try crashed.apply("2026-06-01T00:00:00Z").status == 0)
        // Ids differ by nothing (same call_ids); compare everything but the absolute folders.
        #expect(try crashed.state() == clean.state())
        #expect(try Support.callvault(["verify", "--config", crashed.config]).status == 0)
    }

    @Test("verify catches a flipped byte, a deleted file, an orphan and an edited audit row; exit 4")
    func verifyCatches() throws {
        let r = try RetentionFixture()
        defer { r.f.remove() }
        #expect(try r.apply("2026-03-01T00:00:00Z").status == 0)
        #expect(try Support.callvault(["verify", "--config", r.config]).status == 0)
        let paths = try r.f.sql("SELECT call_id, archive_path FROM calls WHERE audio_purged_at IS NULL ORDER BY call_id")
        let flipped = r.f.archive + "/" + paths[0][1]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: flipped))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: flipped))
        try FileManager.default.removeItem(atPath: r.f.archive + "/" + paths[1][1])
        try Data("x".utf8).write(to: URL(fileURLWithPath: r.f.archive + "/2026/01/10/cdeadbeefdeadbeefdeadbeef0.opus"))
        #expect(try Support.run("sqlite3", [r.f.database, "DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'nothing to see' WHERE seq = 2"]).status == 0)

        let v = try Support.callvault(["verify", "--config", r.config, "--format", "json"])
        #expect(v.status == 4)
        let report = try Support.jsonObject(v.stdout)
        let ids = try r.f.sql("SELECT id FROM calls WHERE audio_purged_at IS NULL ORDER BY call_id").map { $0[0] }
        #expect(report["altered"] as? [String] == [ids[0]])
        #expect(report["missing"] as? [String] == [ids[1]])
        #expect(report["orphans"] as? [String] == ["2026/01/10/cdeadbeefdeadbeefdeadbeef0.opus"])
        #expect(report["audit_broken_at"] as? Int == 2)
        #expect(report["purged"] as? Int == 3)
        #expect(report["clean"] as? Bool == false)
        #expect(try r.f.sql("SELECT count(*) FROM audit WHERE action = 'verify_failed'") == [["1"]])
        let csv = try Support.callvault(["audit", "list", "--config", r.config, "--format", "csv"])
        #expect(csv.stdout.hasPrefix("seq,at,action,ids,reason,sha256,version,os_user,details,prev_hash,hash"))
    }

    @Test("archive files 0640, folders 0750, index 0600")
    func permissions() throws {
        let r = try RetentionFixture()
        defer { r.f.remove() }
        let file = r.f.archive + "/" + (try r.f.sql("SELECT archive_path FROM calls LIMIT 1")[0][0])
        func mode(_ p: String) throws -> Int { (try #require(try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? NSNumber)).intValue }
        #expect(try mode(file) == 0o640)
        #expect(try mode((file as NSString).deletingLastPathComponent) == 0o750)
        #expect(try mode(r.f.database) == 0o600)
    }
}
