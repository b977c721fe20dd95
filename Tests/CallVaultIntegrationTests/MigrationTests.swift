import Foundation
import Testing

/// An index and archive made by the first released callvault (schema v3: calls, jobs, registry,
/// retention, holds, audit), committed under Tests/Fixtures/first-release: 10 calls on 3 campaigns,
/// a registry of 4 rows, 2 holds, a retention run that purged audio (12 audit entries).
@Suite("An index from the first release upgrades with nothing lost", .serialized)
struct MigrationTests {
    /// A copy of the fixture in a temporary folder (tests never touch the committed files).
    private func copy() throws -> URL {
        let dir = try Support.temporaryDirectory()
        let source = Support.packageRoot.appendingPathComponent("Tests/Fixtures/first-release")
        for name in ["index.sqlite", "archive"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    private func sql(_ db: String, _ query: String) throws -> String {
        let r = try Support.run("sqlite3", [db, query])
        #expect(r.status == 0, "sqlite3: \(r.stderr)")
        return r.stdout
    }

    @Test("every record, registry row, hold and audit entry survives, the chain verifies, new migrations are applied")
    func upgrade() throws {
        let dir = try copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("index.sqlite").path
        let archive = dir.appendingPathComponent("archive").path
        let snapshot = """
            SELECT id, call_id, sha256, outcome, ifnull(campaign,''), started_at, duration_ms, talk_ms, ifnull(audio_purged_at,''),
                   ifnull(retain_audio_until,'') FROM calls ORDER BY id;
            SELECT tracking_number, campaign, ifnull(valid_from,''), ifnull(valid_to,'') FROM registry ORDER BY id;
            SELECT name, reason FROM holds ORDER BY name;
            SELECT seq, action, hash FROM audit ORDER BY seq;
            """
        let before = try sql(db, snapshot)
        #expect(try sql(db, "SELECT count(*) FROM calls") == "10\n")
        let migrationsBefore = try sql(db, "SELECT count(*) FROM grdb_migrations")

        // A write opens the index with the current schema: the pending migrations run.
        let relink = try Support.callvault(["numbers", "relink", "--db", db])
        #expect(relink.status == 0, "\(relink.stderr)")
        #expect(try sql(db, snapshot) == before, "a record, registry row, hold or audit entry changed")
        let migrationsAfter = try sql(db, "SELECT count(*) FROM grdb_migrations")
        #expect(Int(migrationsAfter.trimmedNumber)! >= Int(migrationsBefore.trimmedNumber)!)

        let query = try Support.callvault(["query", "--db", db, "--format", "json", "--limit", "0"])
        #expect(query.status == 0, "\(query.stderr)")
        let calls = try #require(try Support.json(query.stdout) as? [[String: Any]])
        #expect(calls.count == 10)
        // v14-pci-redactions: calls archived before it had nothing redacted, and say so.
        #expect(calls.allSatisfy { ($0["redactions"] as? [Any])?.isEmpty == true && $0["dtmf_tones_masked"] as? Int == 0 })
        let verify = try Support.callvault(["verify", "--db", db, "--archive", archive])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let holds = try Support.callvault(["hold", "list", "--db", db])
        #expect(holds.stdout.contains("H1") && holds.stdout.contains("H2"), "\(holds.stdout)")
    }
}

extension MigrationTests {
    @Test("numbers stored under the first release's rules are read again: a hold typed the new way covers them")
    func numbersReadAgain() throws {
        let dir = try copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("index.sqlite").path
        let id = try sql(db, "SELECT id FROM calls ORDER BY id LIMIT 1").trimmingCharacters(in: .whitespacesAndNewlines)
        // What the first release stored for this notation (the trunk kept after +44).
        _ = try sql(db, "UPDATE calls SET caller_raw = '+44 (0)20 7946 0958', caller = '+4402079460958', caller_area_code = NULL WHERE id = '\(id)'")
        let relink = try Support.callvault(["numbers", "relink", "--db", db])
        #expect(relink.status == 0, "\(relink.stderr)")
        #expect(try sql(db, "SELECT caller, caller_valid, caller_country FROM calls WHERE id = '\(id)'") == "+442079460958|1|GB\n")
        #expect(try sql(db, "SELECT action, json_extract(details, '$.callers') FROM audit ORDER BY seq DESC LIMIT 1") == "numbers_renormalised|1\n")
        let hold = try Support.callvault(["hold", "add", "H3", "--reason", "r", "--caller", "+44 (0)20 7946 0958", "--db", db])
        let matching = try sql(db, "SELECT count(*) FROM calls WHERE caller = '+442079460958'").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(matching)! >= 1)
        #expect(hold.stdout.contains("covers \(matching) call"), "\(hold.stdout) \(hold.stderr)")
        let verify = try Support.callvault(["verify", "--db", db, "--archive", dir.appendingPathComponent("archive").path])
        #expect(verify.status == 0, "the audit chain still verifies: \(verify.stdout)")
    }
}

private extension String {
    var trimmedNumber: String { filter(\.isNumber) }
}
