import Foundation
import Testing

/// Issue 20 is in progress: until a command runs on PostgreSQL, a `postgres://` index stops it
/// with exit 2 and a clear message naming what works, and is never taken for a SQLite file name.
@Suite("a postgres:// index is refused by every command not yet supported")
struct PostgresNotYetTests {
    static let url = "postgres://callvault@127.0.0.1:5432/callvault?sslmode=disable"

    @Test("database = \"postgres://…\" in the config: exit 2 naming the command, and no file of that name is made", arguments: [
        ["db", "rebuild-aggregates"], ["serve"],
    ])
    func configRefused(_ command: [String]) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("callvault.toml").path
        try "spool = \"spool\"\narchive = \"archive\"\ndatabase = \"\(Self.url)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Support.callvault(command + ["--config", config])
        #expect(r.status == 2, "\(command): \(r.status) \(r.stderr)")
        let name = command.prefix { !$0.hasPrefix("-") && !$0.hasPrefix("c0") }.joined(separator: " ")
        #expect(r.stderr.contains("PostgreSQL index: not supported yet by `callvault \(name)` (issue 20 in progress; works: audit list, directory import, directory list, directory lookup, erase, export, hold add, hold list, hold remove, job run, numbers import, numbers list, numbers relink, numbers unassigned, query, report area-codes, report callbacks, report callers, report compare, report dead-air, report hours, report missed, report summary, retention apply, run, show, user add, user list, user passwd, user remove, user token, verify, web import-callbacks, web import-sessions); use a SQLite path"),
                "\(command): \(r.stderr)")
        let made = try FileManager.default.subpathsOfDirectory(atPath: dir.path)
        #expect(!made.contains { $0.contains("postgres") || $0.hasSuffix(".sqlite") }, "\(made)")
    }

    @Test("--db postgres://… is refused the same way; a malformed URL is refused with its reason")
    func flagRefused() throws {
        let r = try Support.callvault(["db", "rebuild-aggregates", "--db", Self.url])
        #expect(r.status == 2 && r.stderr.contains("not supported yet by `callvault db rebuild-aggregates`"), "\(r.status) \(r.stderr)")
        let bad = try Support.callvault(["query", "--db", "postgres://callvault:secret@db/calls"])
        #expect(bad.status == 2 && bad.stderr.contains("--db: a password in the URL is refused"), "\(bad.status) \(bad.stderr)")
        #expect(!bad.stderr.contains("secret@"), "the password is not repeated")
    }

    @Test("run on a postgres:// index that cannot be reached: exit 1 naming the server, no file of that name made")
    func runUnreachable() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let url = "postgres://callvault@127.0.0.1:1/callvault?sslmode=disable"
        let r = try Support.callvault(["run", "--once", "--spool", dir.path + "/spool", "--archive", dir.path + "/archive", "--db", url])
        #expect(r.status == 1, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("PostgreSQL index: connecting to postgres://callvault@127.0.0.1:1/callvault"), "\(r.stderr)")
        let made = try FileManager.default.subpathsOfDirectory(atPath: dir.path)
        #expect(made.isEmpty, "nothing is created before the index is reached: \(made)")
    }

    @Test("config check reads the URL, says where the password will come from and that commands do not run on it yet")
    func configCheck() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("callvault.toml").path
        try "database = \"postgres://worker@db.example.net/calls\"\npassword_file = \"pg.pw\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["config", "check", config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("database: PostgreSQL postgres://worker@db.example.net:5432/calls?sslmode=prefer (password from password_file \(dir.path)/pg.pw)"), "\(r.stdout)")
        #expect(r.stdout.contains("on PostgreSQL so far only `callvault audit list`, `callvault directory import`, `callvault directory list`, `callvault directory lookup`, `callvault erase`, `callvault export`, `callvault hold add`, `callvault hold list`, `callvault hold remove`, `callvault job run`, `callvault numbers import`, `callvault numbers list`, `callvault numbers relink`, `callvault numbers unassigned`, `callvault query`, `callvault report area-codes`, `callvault report callbacks`, `callvault report callers`, `callvault report compare`, `callvault report dead-air`, `callvault report hours`, `callvault report missed`, `callvault report summary`, `callvault retention apply`, `callvault run`, `callvault show`, `callvault user add`, `callvault user list`, `callvault user passwd`, `callvault user remove`, `callvault user token`, `callvault verify`, `callvault web import-callbacks`, `callvault web import-sessions` (issue 20 in progress)"), "\(r.stdout)")
        try "database = \"postgres://worker:pw@db/calls\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try Support.callvault(["config", "check", config])
        #expect(bad.status == 2 && bad.stderr.contains("callvault.toml:1: database: a password in the URL is refused"), "\(bad.stderr)")
    }
}
