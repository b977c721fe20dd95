import CallVaultTestSupport
import Foundation
import Testing

/// `callvault keys rotate` and `callvault db rebuild-aggregates` on a PostgreSQL index (issue 20):
/// the same output as on SQLite, the same crash safety, PostgreSQL's rows and files checked with
/// psql, sha256sum and Debian's age.
@Suite("keys rotate and db rebuild-aggregates on PostgreSQL",
       .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"),
       .enabled(if: Capabilities.hasAge, "Debian's age and age-keygen are not installed"))
struct PostgresKeysTests {
    /// Three more real-speech calls, archived encrypted (the second longer than one 64 KiB age chunk).
    static let encrypted: [(stem: String, fixture: String)] = [("e0", "speech.wav"), ("e1", "speech-44100.wav"), ("e2", "speech-16k.wav")]

    @Test("keys rotate killed after its first commit and rerun prints and audits the same on SQLite and PostgreSQL; on PostgreSQL each encrypted file opens with the new identity only, gives the recorded Opus, has its recorded SHA-256, verify is clean and a third run skips them all")
    func sameRotationOnBothBackends() throws {
        // Six plain calls on both backends, then three encrypted to the old key.
        let p = try PostgresParity()
        defer { p.remove() }
        let old = try EncryptionAtRestTests.keygen(p.sqlite, "old")
        let new = try EncryptionAtRestTests.keygen(p.sqlite, "new")
        for b in p.backends {
            let text = try String(contentsOfFile: b.config, encoding: .utf8) + "\n[encryption]\nrecipients = [\"\(old.recipient)\"]\n"
            try text.write(toFile: b.config, atomically: true, encoding: .utf8)
            for (n, call) in Self.encrypted.enumerated() {
                try b.f.add(stem: call.stem, fixture: call.fixture,
                            sidecar: SpoolFixture.sidecar(at: "2026-11-27T1\(n):00:00Z", callID: call.stem, extra: ["caller": "+1 212 555 0120"]))
            }
            let run = try b.cli(["run", "--once", "--settle-seconds", "0"])
            try Support.require(run.status == 0, run.stderr)
        }
        let encryptedRows = "SELECT id, archive_path, sha256, opus_sha256 FROM calls WHERE archive_path LIKE '%.age' ORDER BY id"
        let before = try p.db.rows(encryptedRows)
        #expect(before.count == 3, "\(before)")

        // Killed after recording the first file's new hash, before its rename: the index names the
        // temporary file's content, the old file is still in place.
        let args = ["keys", "rotate", "--to", new.recipient, "--identity", old.path, "--by", "ops"]
        for b in p.backends {
            let killed = try Support.callvault(args + ["--config", b.config], environment: ["CALLVAULT_FAULT": "rotate.after-commit"])
            #expect(killed.status != 0, "the fault point killed the run: \(killed.stderr)")
        }
        let recorded = try p.db.rows(encryptedRows)
        let changed = zip(before, recorded).filter { $0.0[2] != $0.1[2] }.map(\.1)
        #expect(changed.count == 1, "one file's new hash recorded: \(recorded)")
        for row in changed {
            let final = p.postgres.archive + "/" + row[1]
            let temporary = (final as NSString).deletingLastPathComponent + "/." + (final as NSString).lastPathComponent + ".tmp-rotate"
            #expect(try p.postgres.sha256(final) != row[2], "the old file is still in place")
            #expect(try p.postgres.sha256(temporary) == row[2], "the recorded hash is the temporary file's")
        }
        #expect(try p.db.rows("SELECT count(*) FROM audit WHERE action = 'keys_rotated'") == [["0"]], "no entry for the killed run")

        let rerun = try Support.jsonObject(try p.same(args + ["--format", "json"]))
        #expect(try Support.field(rerun, "rotated", as: Int.self) == 3 && Support.field(rerun, "skipped", as: Int.self) == 0
                && Support.field(rerun, "plain", as: Int.self) == 6, "\(rerun)")
        #expect(rerun["failed"] as? [String] == [], "\(rerun)")

        // PostgreSQL's rows and files: new hashes recorded, the Opus the same, only the new key opens it.
        let after = try p.db.rows(encryptedRows)
        #expect(after.map { [$0[0], $0[1], $0[3]] } == before.map { [$0[0], $0[1], $0[3]] }, "same calls, paths and opus_sha256")
        for (row, was) in zip(after, before) {
            let file = p.postgres.archive + "/" + row[1]
            #expect(row[2] != was[2], "\(row[0]): a new hash recorded")
            #expect(try p.postgres.sha256(file) == row[2], "\(row[0]): the new file is the one recorded")
            #expect(try EncryptionAtRestTests.ageDecrypt(file, key: old.path, in: p.postgres) == nil, "the old identity no longer opens \(row[0])")
            let plain = try #require(try EncryptionAtRestTests.ageDecrypt(file, key: new.path, in: p.postgres), "the new identity opens \(row[0])")
            #expect(try EncryptionAtRestTests.sha256(plain, in: p.postgres) == row[3])
        }
        #expect(!p.postgres.files(in: p.postgres.archive).contains { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "no temporary file left")
        try p.same(["verify", "--format", "json"])
        try p.same(["verify", "--decrypt", "--identity", new.path, "--format", "json"])

        // A third run: nothing the old identity opens, every file skipped, nothing changed.
        let third = try p.same(args)
        #expect(third.hasPrefix("rotated 0 files; skipped 3 (not opened by the old identity: already rotated); 6 plain files left as they are"), "\(third)")
        #expect(try p.db.rows(encryptedRows) == after)
        let audits = try p.auditEntries()
        #expect(audits[0] == audits[1], "\(audits)")
        #expect(try p.db.rows("SELECT details::jsonb ->> 'rotated', details::jsonb ->> 'skipped', details::jsonb ->> 'by' FROM audit WHERE action = 'keys_rotated' ORDER BY seq")
                == [["3", "0", "ops"], ["0", "3", "ops"]])

        // The old identity opens none of them now, on either backend (problems listed by id).
        let oldVerify = try Support.jsonObject(try p.same(["verify", "--decrypt", "--identity", old.path, "--format", "json"], status: 4))
        let failed = try Support.field(oldVerify, "plaintext_failed", as: [String].self)
        #expect(failed.count == 3 && failed.allSatisfy { $0.contains("no identity matches") } && failed == failed.sorted(), "\(failed)")
    }

    @Test("db rebuild-aggregates on PostgreSQL refills the report aggregates from the calls, says from how many as on SQLite, and the reports are the same as SQLite's before and after; a quarter changed by hand is repaired, and verify found it (exit 4)")
    func rebuildAggregates() throws {
        let p = try PostgresParity()
        defer { p.remove() }
        let summary = ["report", "summary", "--by", "day", "--format", "json"]
        try p.same(summary)
        let tables = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        let tablesBefore = try p.db.rows(tables)
        let quarters = "SELECT q, outcome, calls, anonymous, talk_ms, duration_ms FROM report_quarters ORDER BY q, outcome"
        let kept = try p.db.rows(quarters)
        #expect(kept.map { Int($0[2]) ?? 0 }.reduce(0, +) == 6, "the trigger counted the 6 calls: \(kept)")
        // Both indexes are at this version's schema already (run applied it): db upgrade says so.
        let upgrades = try p.backends.map { try $0.cli(["db", "upgrade"]) }
        #expect(upgrades.map(\.stdout) == ["the index is up to date (v18-dead-air-counts)\n", "the index is up to date (pg-v12-dead-air-counts)\n"],
                "\(upgrades.map(\.stdout)) \(upgrades.map(\.stderr))")
        let results = try p.backends.map { try $0.cli(["db", "rebuild-aggregates"]) }
        #expect(results.map(\.status) == [0, 0], "\(results.map(\.stderr))")
        for result in results {
            #expect(try Regex(#"rebuilt the report aggregates from 6 calls in \d+\.\d s\n"#).wholeMatch(in: result.stdout) != nil, "\(result.stdout)")
            #expect(result.stderr.isEmpty, "\(result.stderr)")
        }
        #expect(try p.db.rows(tables) == tablesBefore, "no table made or dropped")
        #expect(try p.db.rows(quarters) == kept, "the rebuild gives the rows the trigger kept")
        try p.same(summary)

        // A quarter changed by hand: verify reports it (exit 4), the rebuild repairs it.
        try p.db.rows("UPDATE report_quarters SET calls = calls + 5 WHERE q = (SELECT min(q) FROM report_quarters)")
        let verify = try p.backends[1].cli(["verify"])
        #expect(verify.status == 4 && verify.stdout.contains("report aggregates: report_quarters: quarter starting"), "\(verify.status) \(verify.stdout)")
        #expect(try p.backends[1].cli(["db", "rebuild-aggregates"]).status == 0)
        #expect(try p.db.rows(quarters) == kept)
        #expect(try p.backends[1].cli(["verify"]).status == 0)
        try p.same(summary)
    }
}
