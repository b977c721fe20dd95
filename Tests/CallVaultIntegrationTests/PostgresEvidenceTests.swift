import CallVaultTestSupport
import Foundation
import Testing

/// `export --bundle` on a PostgreSQL index (issue 20): the same evidence bundle as SQLite gives —
/// the same files, manifest, audit entries and checks — with the export audited in PostgreSQL's
/// own hash chain, and `sha256sum -c` passing on each.
@Suite("export --bundle on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresEvidenceTests {
    /// A bundle's files other than the audio, as text: what both backends must write alike once
    /// today's times (the bundle's own clock) and `root` are masked.
    static func documents(_ dir: String, root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in ["manifest.json", "audit.json", "audit.csv", "verify.json", "index.html"] {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8).replacingOccurrences(of: root, with: "ROOT")
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            out[name] = try text.replacing(Regex(today + #"T\d\d:\d\d:\d\dZ"#), with: "TODAY")
        }
        return out
    }

    @Test("a SQLite index moved to PostgreSQL (db migrate) gives the same bundle of a hold from both: the same files, audit.json and audit.csv byte for byte (seq, at, hashes and all), the same manifest, verify.json and index.html but for the time made; sha256sum -c passes; the export entry is appended to PostgreSQL's chain after the same head and verify finds it intact")
    func migratedIndexSameBundle() throws {
        let db = try PostgresDatabase()
        defer { db.drop() }
        let f = try SpoolFixture(name: "evidence-migrated")
        defer { f.remove() }
        for (n, call) in PostgresRunTests.calls.enumerated() {
            try f.add(stem: call.stem, fixture: call.fixture,
                      sidecar: SpoolFixture.sidecar(call.number, at: "2026-11-2\(n)T14:00:00Z", callID: call.stem, extra: ["caller": "+1 212 555 01\(10 + n)"]))
        }
        let run = try f.run()
        try #require(run.status == 0, "\(run.stderr)")
        let directory = f.root.appendingPathComponent("directory.csv").path
        try "number,name,city\n+1 212 555 0110,Dana Whitfield,New York\n+1 212 555 0112,Luis Ortega,Queens\n"
            .write(toFile: directory, atomically: true, encoding: .utf8)
        try #require(try Support.callvault(["directory", "import", directory] + f.storeFlags).status == 0)
        // Two holds over p2 (its record lists both), a bundle before the move (an access entry naming p0).
        for hold in [["CASE-7", "--tracking-number", "+1 415 555 0100"], ["CASE-8", "--id", "p2"]] {
            let r = try Support.callvault(["hold", "add", hold[0], "--reason", "Smith v. Acme", "--by", "counsel"] + hold.dropFirst() + f.storeFlags)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let first = try Support.callvault(["export", "--bundle", f.root.path + "/first", "p0"] + f.storeFlags)
        try #require(first.status == 0, "\(first.stderr)")
        let migrate = try Support.callvault(["db", "migrate", "--from", f.database, "--to", db.url])
        try #require(migrate.status == 0, "\(migrate.stderr)")

        let postgresFlags = ["--spool", f.spool, "--archive", f.archive, "--db", db.url]
        let dirs = [f.root.path + "/sqlite-bundle", f.root.path + "/postgres-bundle"]
        let results = try zip(dirs, [f.storeFlags, postgresFlags]).map { dir, flags in
            try Support.callvault(["export", "--bundle", dir, "--hold", "CASE-7"] + flags)
        }
        #expect(results.map(\.status) == [0, 0], "\(results.map(\.stderr))")
        #expect(results[0].stdout.replacingOccurrences(of: dirs[0], with: "DIR") == results[1].stdout.replacingOccurrences(of: dirs[1], with: "DIR"),
                "\(results.map(\.stdout))")
        #expect(results[1].stdout.contains("4 calls, 10 files"), "p0, p2, p3 and p5: \(results[1].stdout)")

        let held = try f.sql("SELECT id FROM calls WHERE call_id IN ('p0', 'p2', 'p3', 'p5') ORDER BY started_at").map { $0[0] }
        let files = dirs.map { f.files(in: $0) }
        #expect(files[0] == files[1])
        #expect(files[1] == ["SHA256SUMS"] + held.sorted().map { "audio/\($0).opus" } + ["audit.csv", "audit.json", "index.html", "manifest.json", "verify.json"])
        for dir in dirs {
            let check = try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: dir)
            #expect(check.status == 0 && check.stdout.split(separator: "\n").count == 9, "\(dir): \(check.stdout)\(check.stderr)")
        }
        for file in held.map({ "audio/\($0).opus" }) {
            #expect(try f.sha256(dirs[0] + "/" + file) == f.sha256(dirs[1] + "/" + file))
        }
        for name in ["audit.json", "audit.csv"] {
            let texts = try dirs.map { try String(contentsOfFile: $0 + "/" + name, encoding: .utf8) }
            #expect(!texts[1].isEmpty && texts[0] == texts[1], "\(name):\n--- SQLite\n\(texts[0])\n--- PostgreSQL\n\(texts[1])")
        }
        let documents = try dirs.map { try Self.documents($0, root: f.root.path) }
        for name in ["manifest.json", "verify.json", "index.html"] {
            #expect(documents[0][name] == documents[1][name], "\(name):\n--- SQLite\n\(documents[0][name] ?? "")\n--- PostgreSQL\n\(documents[1][name] ?? "")")
        }

        // What the PostgreSQL bundle says, read back: the held calls with both holds on p2 and the directory's names.
        let manifest = try Support.jsonObject(try String(contentsOfFile: dirs[1] + "/manifest.json", encoding: .utf8))
        #expect(manifest["selection"] as? String == "hold CASE-7" && manifest["call_count"] as? Int == 4, "\(manifest)")
        let calls = try Support.field(manifest, "calls", as: [[String: Any]].self)
        #expect(calls.map { $0["id"] as? String } == held)
        let records = try calls.map { try Support.field($0, "record", as: [String: Any].self) }
        #expect(records.map { $0["holds"] as? [String] } == [["CASE-7"], ["CASE-7", "CASE-8"], ["CASE-7"], ["CASE-7"]])
        #expect(records.map { $0["caller_directory"] is [String: Any] } == [true, true, false, false],
                "the directory's entries for +1 212 555 0110 and 0112 (p0, p2): \(records.map { $0["caller_directory"] ?? "none" })")
        let audit = try Support.jsonArray(try String(contentsOfFile: dirs[1] + "/audit.json", encoding: .utf8))
        #expect(audit.map { $0["action"] as? String } == ["hold_added", "hold_added", "access"], "two holds and the first export: \(audit)")
        let verify = try Support.jsonObject(try String(contentsOfFile: dirs[1] + "/verify.json", encoding: .utf8))
        let entriesNow = try #require(Int(try db.rows("SELECT count(*) FROM audit")[0][0]))
        #expect(verify["clean"] as? Bool == true && verify["audit_entries"] as? Int == entriesNow - 1,
                "every entry before the export's own, the chain intact: \(verify)")

        // Each export is audited in its own index, after the same head, naming the same calls.
        let sqliteEntry = try f.sql("SELECT action, ids, sha256, prev_hash, json_extract(details, '$.kind'), json_extract(details, '$.calls') FROM audit ORDER BY seq DESC LIMIT 1")
        let postgresEntry = try db.rows("SELECT action, ids, sha256, prev_hash, details::jsonb ->> 'kind', details::jsonb ->> 'calls' FROM audit ORDER BY seq DESC LIMIT 1")
        let sums = try dirs.map { try f.sha256($0 + "/SHA256SUMS") }
        try #require(sqliteEntry.count == 1)
        #expect(sqliteEntry[0][0] == "access" && sqliteEntry[0][2] == sums[0])
        #expect(postgresEntry == [["access", sqliteEntry[0][1], sums[1], sqliteEntry[0][3], "export", "4"]], "SQLite's: \(sqliteEntry)")
        let checked = try Support.callvault(["verify", "--format", "json"] + postgresFlags)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(try Support.jsonObject(checked.stdout)["audit_broken_at"] is NSNull, "\(checked.stdout)")
    }

    @Test("separate SQLite and PostgreSQL indexes of one spool: bundles by ids, by query filters and by hold print, refuse and write alike (an unknown id exit 2, an unknown hold and an empty match exit 2, a non-empty folder refused), and the audit logs end alike")
    func sameSelectionsOnBothBackends() throws {
        let p = try PostgresParity()
        defer { p.remove() }
        try p.same(["hold", "add", "CASE-1", "--reason", "dispute", "--by", "counsel", "--id", "p4"])

        /// `export --bundle ROOT/NAME ARGS` on both: the same status, stdout and stderr with each
        /// fixture's root masked; returns the bundle folders (SQLite's, PostgreSQL's).
        @discardableResult
        func same(_ name: String, _ args: [String], status: Int32 = 0) throws -> [String] {
            let dirs = p.backends.map { $0.f.root.path + "/" + name }
            let results = try zip(p.backends, dirs).map { b, dir in
                let r = try b.cli(["export", "--bundle", dir] + args)
                return (r.status, r.stdout.replacingOccurrences(of: b.f.root.path, with: "ROOT"), r.stderr.replacingOccurrences(of: b.f.root.path, with: "ROOT"))
            }
            #expect(results.map(\.0) == [status, status], "\(args): \(results.map(\.2))")
            #expect(results[0].1 == results[1].1 && results[0].2 == results[1].2, "\(args):\n--- SQLite\n\(results[0])\n--- PostgreSQL\n\(results[1])")
            return dirs
        }

        let byIDs = try same("ids", ["p1", "p4", "p1", "nosuch"], status: 2)
        let byFilters = try same("filters", ["--tracking-number", "+1 415 555 0100", "--since", "2026-11-21", "--outcome", "answered"])
        let byHold = try same("hold", ["--hold", "CASE-1"])
        for dirs in [byIDs, byFilters, byHold] {
            #expect(p.backends[0].f.files(in: dirs[0]) == p.backends[1].f.files(in: dirs[1]))
            for dir in dirs { #expect(try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: dir).status == 0, "\(dir)") }
            let documents = try zip(p.backends, dirs).map { b, dir in try PostgresEvidenceTests.documents(dir, root: b.f.root.path) }
            for name in ["manifest.json", "verify.json", "index.html"] {
                #expect(documents[0][name] == documents[1][name], "\(dirs[1]) \(name):\n--- SQLite\n\(documents[0][name] ?? "")\n--- PostgreSQL\n\(documents[1][name] ?? "")")
            }
        }
        let filtered = try Support.jsonObject(try String(contentsOfFile: byFilters[1] + "/manifest.json", encoding: .utf8))
        #expect(try Support.field(filtered, "calls", as: [[String: Any]].self).compactMap { ($0["record"] as? [String: Any])?["call_id"] as? String }
                == ["p2", "p5"], "answered calls to +1 415 555 0100 from 2026-11-21 (p3 was missed): \(filtered)")
        #expect(p.backends[1].f.files(in: byIDs[1]).filter { $0.hasPrefix("audio/") }.count == 2, "p1 and p4, once each")

        // The hold's bundle carries the earlier exports of p4 (the ids bundle) among its accesses.
        let heldAudit = try Support.jsonArray(try String(contentsOfFile: byHold[1] + "/audit.json", encoding: .utf8))
        #expect(heldAudit.map { $0["action"] as? String } == ["hold_added", "access"], "\(heldAudit)")
        let idsSums = try p.backends[1].f.sha256(byIDs[1] + "/SHA256SUMS")
        #expect(heldAudit.last?["sha256"] as? String == idsSums)

        try same("nohold", ["--hold", "NOPE"], status: 2)
        try same("nothing", ["--campaign", "Nope"], status: 2)
        try same("hold", ["--hold", "CASE-1"], status: 2)
        #expect(p.backends.allSatisfy { b in b.f.files(in: b.f.root.path).allSatisfy { !$0.contains("bundle-tmp") } }, "no temporary folder left")

        // Three exports audited on each, naming its own bundles (their SHA256SUMS differ by the
        // time each was made); otherwise the logs are the same, the chains intact.
        let audits = try p.backends.map { b in
            let r = try b.cli(["audit", "list", "--format", "json"])
            try Support.require(r.status == 0, r.stderr)
            return try Support.jsonArray(r.stdout.replacingOccurrences(of: b.f.root.path, with: "ROOT"))
        }
        for (n, b) in p.backends.enumerated() {
            let exported = try [byIDs, byFilters, byHold].map { try b.f.sha256($0[n] + "/SHA256SUMS") }
            #expect(audits[n].filter { $0["action"] as? String == "access" }.map { $0["sha256"] as? String } == exported)
        }
        let compared = try audits.map { entries in
            try entries.map { entry in
                String(decoding: try JSONSerialization.data(withJSONObject: entry.filter { !["at", "hash", "prev_hash", "sha256"].contains($0.key) },
                                                            options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(compared[0] == compared[1], "\(compared)")
        #expect(try p.db.rows("SELECT count(*) FROM audit WHERE action = 'access' AND details::jsonb ->> 'kind' = 'export'") == [["3"]])
        try p.same(["verify", "--format", "json"])
    }
}
