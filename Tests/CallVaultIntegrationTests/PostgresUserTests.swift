import CallVaultTestSupport
import Foundation
import Testing

/// `callvault user` on a PostgreSQL index (issue 20): the same accounts, messages, exit codes and
/// audit entries as on SQLite, the password and token kept the same way (bcrypt, SHA-256).
@Suite("user on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresUserTests {
    @Test("user add, list, token, passwd and remove print, refuse and audit the same on SQLite and PostgreSQL; a token is stored as its SHA-256 and a new password ends the user's sessions")
    func sameUsersOnBothBackends() throws {
        let p = try PostgresParity()
        defer { p.remove() }
        let password = "correct horse battery staple\n"
        #expect(try p.same(["user", "add", "ana", "--role", "qa"], stdin: password) == "user \"ana\" added as qa\n")
        try p.same(["user", "add", "Bob", "--role", "compliance"], stdin: password + password)
        try p.same(["user", "add", "zoe", "--role", "admin"], stdin: password)
        try p.same(["user", "add", "ana", "--role", "admin"], status: 2, stdin: password)
        try p.same(["user", "add", "no name", "--role", "qa"], status: 2, stdin: password)
        try p.same(["user", "add", "eve", "--role", "qa"], status: 2, stdin: "short\n")
        // "Bob" before "ana": text ordered byte by byte on both.
        for format in ["table", "json", "csv"] { try p.same(["user", "list", "--format", format]) }
        #expect(try p.db.rows(#"SELECT name FROM users ORDER BY name COLLATE "C""#) == [["Bob"], ["ana"], ["zoe"]])

        // A token is printed once; only its SHA-256 is kept.
        let tokens = try p.backends.map { b in try PostgresParity.cli(b, ["user", "token", "Bob"]) }
        #expect(tokens.map(\.status) == [0, 0] && tokens.allSatisfy { $0.stdout.hasPrefix("cvt_") }, "\(tokens)")
        let token = tokens[1].stdout.trimmingCharacters(in: .newlines)
        #expect(try p.db.rows("SELECT token_sha256 = encode(sha256(convert_to('\(token)', 'UTF8')), 'hex') FROM users WHERE name = 'Bob'") == [["t"]])
        try p.same(["user", "token", "nobody"], status: 2)
        for format in ["table", "csv"] { try p.same(["user", "list", "--format", format]) }

        // A new password ends the user's sessions, on PostgreSQL as on SQLite.
        let before = try p.db.rows("SELECT password_hash FROM users WHERE name = 'ana'")
        try PostgresDatabase.psql(p.db.url, #"INSERT INTO sessions (id_sha256, "user", csrf, created_at, expires_at) VALUES ('s1', 'ana', 'c', 0, 9e9), ('s2', 'zoe', 'c', 0, 9e9)"#)
        #expect(try p.same(["user", "passwd", "ana"], stdin: "another long passphrase\n") == "password of \"ana\" changed\n")
        #expect(try p.db.rows(#"SELECT "user" FROM sessions"#) == [["zoe"]])
        let after = try p.db.rows("SELECT password_hash FROM users WHERE name = 'ana'")
        #expect(after != before && after.first?.first?.hasPrefix("$2") == true, "a new bcrypt hash: \(after)")
        try p.same(["user", "passwd", "nobody"], status: 2, stdin: "another long passphrase\n")

        // Removing a user takes their sessions with them.
        #expect(try p.same(["user", "remove", "zoe"]) == "user \"zoe\" removed\n")
        #expect(try p.db.rows(#"SELECT count(*) FROM sessions"#) == [["0"]])
        try p.same(["user", "remove", "zoe"], status: 2)
        for format in ["table", "json", "csv"] { try p.same(["user", "list", "--format", format]) }

        // The same entries in both audit logs, appended to PostgreSQL's chain.
        let audits = try p.auditEntries()
        #expect(audits[0] == audits[1], "\(audits)")
        #expect(try p.db.rows("SELECT action FROM audit WHERE action LIKE 'user%' ORDER BY seq")
                == [["user_added"], ["user_added"], ["user_added"], ["user_token_issued"], ["user_password_changed"], ["user_removed"]])
        try p.same(["query", "--format", "json", "--limit", "0"])
    }
}
