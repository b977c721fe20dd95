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
        let verify = try Support.callvault(["verify", "--db", db, "--archive", archive])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let holds = try Support.callvault(["hold", "list", "--db", db])
        #expect(holds.stdout.contains("H1") && holds.stdout.contains("H2"), "\(holds.stdout)")
    }
}

private extension String {
    var trimmedNumber: String { filter(\.isNumber) }
}
