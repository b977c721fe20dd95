import Foundation
import Testing

/// A real index for erasure requests: calls of +1 212 555 0187 on an ordinary campaign, on a
/// compliance campaign with a mandatory minimum (`min_keep_days`), one under a legal hold; calls
/// of +1 312 555 0143 that nothing keeps; a caller directory with both numbers.
private struct ErasureFixture {
    let f: SpoolFixture
    var config: String { f.root.appendingPathComponent("callvault.toml").path }
    static let policy = """
    [[retention.rules]]
    name = "mifid"
    campaign = "Compliance-*"
    keep_audio_days = 30
    keep_record_days = 30
    min_keep_days = 3650

    [[retention.rules]]
    name = "default"
    keep_audio_days = 365
    keep_record_days = 730
    """

    init(name: String = #function) throws {
        f = try SpoolFixture(name: name)
        try "\(ConfigText.storage)\n\n\(Self.policy)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let registry = f.root.appendingPathComponent("registry.csv").path
        try "tracking_number,campaign,source,medium,valid_from,valid_to\n+14155550100,Compliance-Q1,google,cpc,,\n+14155550101,Search,google,cpc,,\n"
            .write(toFile: registry, atomically: true, encoding: .utf8)
        try Support.require(try cli(["numbers", "import", registry]).status == 0, "numbers import")
        let directory = f.root.appendingPathComponent("directory.csv").path
        try "number,name,city\n(212) 555-0187,Ana Smith,New York\n(312) 555-0143,Bo Jones,Chicago\n"
            .write(toFile: directory, atomically: true, encoding: .utf8)
        try Support.require(try cli(["directory", "import", directory]).status == 0, "directory import")
        let calls: [(String, String, String, String, String)] = [
            ("a-search", "speech.wav", "+14155550101", "2026-01-10T12:00:00Z", "(212) 555-0187"),
            ("a-missed", "missed.wav", "+14155550101", "2026-01-11T12:00:00Z", "212-555-0187"),
            ("a-mifid", "speech.wav", "+14155550100", "2026-01-12T12:00:00Z", "+1 212 555 0187"),
            ("a-held", "abandoned.wav", "+14155550101", "2026-01-13T12:00:00Z", "2125550187"),
            ("b-one", "speech.wav", "+14155550101", "2026-01-10T13:00:00Z", "(312) 555-0143"),
            ("b-two", "missed.wav", "+14155550101", "2026-01-14T13:00:00Z", "(312) 555-0143"),
        ]
        for (stem, fixture, number, time, caller) in calls {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: time, callID: stem, extra: ["caller": caller]))
        }
        let r = try cli(["run", "--once"])
        try Support.require(r.status == 0, "run: \(r.stderr)")
        let hold = try cli(["hold", "add", "CASE-9", "--reason", "Smith v. Acme", "--id", "a-held", "--id", "a-search", "--campaign", "Search",
                            "--since", "2026-01-13"])
        try Support.require(hold.status == 0, "hold add: \(hold.stderr)")
    }

    func cli(_ args: [String], environment: [String: String]? = nil) throws -> Support.Result {
        try Support.callvault(args + ["--config", config], environment: environment)
    }

    func id(_ callID: String) throws -> String {
        try #require(try f.sql("SELECT id FROM calls WHERE call_id = '\(callID)'").first?.first)
    }

    func callIDs() throws -> [String] { try f.sql("SELECT call_id FROM calls ORDER BY call_id").map { $0[0] } }

    /// Every row of every table (the audit log apart), as text: what "nothing remains" is checked on.
    func tables() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for table in try f.sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map({ $0[0] }) {
            out[table] = try f.sql("SELECT * FROM \"\(table)\"").map { $0.joined(separator: "|") }
        }
        return out
    }

    /// What a clean run determines: rows, files, the audit's deletions (not the request's summary,
    /// whose ids are what that run found).
    func state() throws -> [String] {
        try f.sql("SELECT call_id, audio_purged_at IS NOT NULL FROM calls ORDER BY call_id").map { $0.joined(separator: " ") }
            + f.files(in: f.archive)
            + f.sql("SELECT action, ids, reason, sha256 FROM audit WHERE action <> 'erasure' ORDER BY seq").map { $0.joined(separator: " ") }
            + f.sql("SELECT count(*) FROM audit WHERE action = 'erasure'").map { $0.joined() }
            + f.sql("SELECT name, call_ids FROM holds").map { $0.joined(separator: " ") }
            + f.sql("SELECT number FROM caller_directory ORDER BY number").map { $0.joined() }
    }
}

@Suite("erase: a person's calls on request, held and mandatory-minimum calls kept, nothing left in the index", .serialized)
struct ErasureTests {
    static let request = ["--reason", "GDPR request 2026-114", "--by", "dpo"]

    @Test("a dry run decides and changes nothing; the request erases the rest, keeps the held and the mandatory-minimum call with reasons; receipt on stdout and in --receipt")
    func eraseWithHoldAndMinimum() throws {
        let x = try ErasureFixture()
        defer { x.f.remove() }
        let before = try x.tables()
        let filesBefore = x.f.files(in: x.f.archive)
        let dry = try x.cli(["erase", "--caller", "212.555.0187", "--dry-run", "--format", "json"] + Self.request)
        #expect(dry.status == 0, "\(dry.stderr)")
        let plan = try Support.jsonObject(dry.stdout)
        #expect(plan["dry_run"] as? Bool == true && plan["erased"] as? Int == 2 && plan["kept"] as? Int == 2)
        #expect(try x.tables() == before, "a dry run changed the index")
        #expect(x.f.files(in: x.f.archive) == filesBefore)

        let receiptFile = x.f.root.appendingPathComponent("receipt.json").path
        let r = try x.cli(["erase", "--caller", "(212) 555-0187", "--format", "json", "--receipt", receiptFile] + Self.request)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: receiptFile, encoding: .utf8) == r.stdout, "the file holds the receipt printed")
        let receipt = try Support.jsonObject(r.stdout)
        #expect(receipt["dry_run"] as? Bool == false)
        #expect(receipt["caller"] as? String == "+12125550187")
        #expect((receipt["caller_hash"] as? String)?.count == 64)
        #expect(receipt["by"] as? String == "dpo" && receipt["reason"] as? String == "GDPR request 2026-114")
        #expect(receipt["erased"] as? Int == 2 && receipt["kept"] as? Int == 2)
        #expect(receipt["directory_entry"] as? String == "kept (calls of this caller are kept)")
        #expect(receipt["audit_seq"] as? Int != nil && receipt["requested_at"] as? String != nil && receipt["completed_at"] as? String != nil)
        let calls = try Support.field(receipt, "calls", as: [[String: Any]].self)
        let byCallID = Dictionary(uniqueKeysWithValues: calls.map { ($0["call_id"] as? String ?? "", $0) })
        #expect(byCallID["a-search"]?["decision"] as? String == "erase" && byCallID["a-search"]?["audio"] as? String == "deleted")
        #expect(byCallID["a-missed"]?["decision"] as? String == "erase")
        let held = try #require(byCallID["a-held"])
        #expect(held["decision"] as? String == "keep" && held["reason"] as? String == "held" && held["holds"] as? [String] == ["CASE-9"])
        let mifid = try #require(byCallID["a-mifid"])
        #expect(mifid["decision"] as? String == "keep" && mifid["reason"] as? String == "mandatory_minimum")
        #expect(mifid["rule"] as? String == "mifid" && mifid["min_keep_days"] as? Int == 3650)
        #expect(mifid["keep_until"] as? String == "2036-01-10T12:00:00Z")
        #expect((mifid["why"] as? String)?.contains("min_keep_days 3650") == true)
        for key in ["id", "started_at", "campaign", "sha256", "bytes", "why"] { #expect(calls.allSatisfy { $0[key] != nil }, "\(key)") }

        #expect(try x.callIDs() == ["a-held", "a-mifid", "b-one", "b-two"])
        #expect(try x.f.invariantViolations().isEmpty, "a file without its record or the reverse")
        // The hold's id list no longer names the erased a-search; it still names a-held.
        #expect(try x.f.sql("SELECT call_ids FROM holds") == [["[\"\(try x.id("a-held"))\"]"]])
        let actions = try x.f.sql("SELECT action, count(*) FROM audit WHERE action IN ('audio_erased', 'record_erased', 'erasure') GROUP BY action ORDER BY action")
        #expect(actions == [["audio_erased", "2"], ["erasure", "1"], ["record_erased", "2"]])
        #expect(try x.cli(["verify"]).status == 0, "verify: the archive, the audit chain and the report aggregates agree")
    }

    @Test("after erasing a caller nothing of their calls is in any table but the audit log, and the audit log has the salted hash, never the number")
    func nothingRemains() throws {
        let x = try ErasureFixture()
        defer { x.f.remove() }
        let ids = [try x.id("b-one"), try x.id("b-two")]
        let r = try x.cli(["erase", "--caller", "312 555 0143", "--format", "json"] + Self.request)
        #expect(r.status == 0, "\(r.stderr)")
        let receipt = try Support.jsonObject(r.stdout)
        #expect(receipt["erased"] as? Int == 2 && receipt["kept"] as? Int == 0 && receipt["directory_entry"] as? String == "deleted")
        let secrets = ids + ["b-one", "b-two", "+13125550143", "Bo Jones"]
        for (table, rows) in try x.tables() where table != "audit" {
            for row in rows {
                for secret in secrets { #expect(!row.contains(secret), "\(table) still holds \(secret): \(row)") }
            }
        }
        let audit = try x.f.sql("SELECT * FROM audit").map { $0.joined(separator: "|") }
        #expect(!audit.contains { $0.contains("3125550143") }, "the number is in the audit log")
        let hash = try #require(receipt["caller_hash"] as? String)
        #expect(try x.f.sql("SELECT count(*) FROM audit WHERE action = 'erasure' AND json_extract(details, '$.caller_hash') = '\(hash)'") == [["1"]])
        #expect(try x.f.sql("SELECT count(*) FROM audit WHERE action IN ('audio_erased', 'record_erased') AND json_extract(details, '$.caller_hash') = '\(hash)'") == [["4"]])
        let salt = try #require(try x.f.sql("SELECT value FROM meta WHERE key = 'erasure_salt'").first?.first)
        #expect(try Support.run("sh", ["-c", "printf '%s' '\(salt):+13125550143' | sha256sum"]).stdout.hasPrefix(hash), "SHA-256 of salt:number")
        // The report aggregates no longer count them either (they equal a rebuild from the calls).
        #expect(try x.f.sql("""
            SELECT (SELECT count(*) FROM report_caller_ids WHERE caller = '+13125550143') + (SELECT count(*) FROM report_first_calls WHERE caller = '+13125550143')
            """) == [["0"]])
        #expect(try x.cli(["verify"]).status == 0)
        // A second request finds nothing and still completes.
        let again = try x.cli(["erase", "--caller", "312 555 0143"] + Self.request)
        #expect(again.status == 0 && again.stdout.contains("erased 0 calls"), "\(again.stdout)\(again.stderr)")
    }

    @Test("a kill during erase, then the same request again, ends where one clean request ends",
          arguments: ["erase.after-audio-commit@1", "erase.after-unlink@2", "erase.after-record-delete@1"])
    func killAndRerun(fault: String) throws {
        let clean = try ErasureFixture(name: "clean")
        defer { clean.f.remove() }
        #expect(try clean.cli(["erase", "--caller", "(212) 555-0187"] + Self.request).status == 0)
        let crashed = try ErasureFixture(name: "crashed")
        defer { crashed.f.remove() }
        let killed = try crashed.cli(["erase", "--caller", "(212) 555-0187"] + Self.request, environment: ["CALLVAULT_FAULT": fault])
        #expect(killed.status != 0, "the fault point \(fault) was not reached")
        let rerun = try crashed.cli(["erase", "--caller", "(212) 555-0187"] + Self.request)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try crashed.state() == clean.state())
        #expect(try crashed.f.invariantViolations().isEmpty)
        #expect(try crashed.cli(["verify"]).status == 0)
    }

    @Test("retention never deletes before min_keep_days; config check shows the minimum; an index with a recorded policy refuses an erase without the config")
    func retentionHonoursMinimum() throws {
        let x = try ErasureFixture()
        defer { x.f.remove() }
        #expect(try x.f.sql("SELECT retain_audio_until, retain_record_until FROM calls WHERE call_id = 'a-mifid'")
                == [["2036-01-10T12:00:00Z", "2036-01-10T12:00:00Z"]], "keep 30 days raised to the 3650-day minimum")
        let apply = try x.cli(["retention", "apply", "--now", "2030-01-01T00:00:00Z"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try x.f.sql("SELECT call_id, audio_purged_at IS NULL FROM calls WHERE call_id = 'a-mifid'") == [["a-mifid", "1"]])
        #expect(try x.callIDs() == ["a-held", "a-mifid"], "the others were due (the held one is kept by its hold)")
        let check = try Support.callvault(["config", "check", x.config])
        #expect(check.status == 0 && check.stdout.contains("mandatory minimum 3650 d") && check.stdout.contains("raised to it"), "\(check.stdout)")
        let bare = try Support.callvault(["erase", "--caller", "(212) 555-0187", "--db", x.f.database, "--archive", x.f.archive] + Self.request)
        #expect(bare.status == 2 && bare.stderr.contains("min_keep_days"), "\(bare.stderr)")
        #expect(try x.callIDs() == ["a-held", "a-mifid"])
    }
}
