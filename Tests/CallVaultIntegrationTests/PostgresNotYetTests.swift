import Foundation
import Testing

/// A `postgres://` URL is never taken for a SQLite file name: a malformed one is refused with its
/// reason, an unreachable server is exit 1 naming it, and `config check` reads it without connecting.
@Suite("a postgres:// URL: refused when malformed, exit 1 when unreachable, read by config check")
struct PostgresNotYetTests {
    static let url = "postgres://callvault@127.0.0.1:5432/callvault?sslmode=disable"

    @Test("a malformed --db postgres://… URL is refused with its reason, never repeating a password")
    func flagRefused() throws {
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

    @Test("config check reads the URL and says where the password will come from")
    func configCheck() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("callvault.toml").path
        try "database = \"postgres://worker@db.example.net/calls\"\npassword_file = \"pg.pw\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["config", "check", config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("database: PostgreSQL postgres://worker@db.example.net:5432/calls?sslmode=prefer (password from password_file \(dir.path)/pg.pw); every command works on it\n"), "\(r.stdout)")
        try "database = \"postgres://worker:pw@db/calls\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try Support.callvault(["config", "check", config])
        #expect(bad.status == 2 && bad.stderr.contains("callvault.toml:1: database: a password in the URL is refused"), "\(bad.stderr)")
    }
}
