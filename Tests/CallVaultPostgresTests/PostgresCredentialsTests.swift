import CallVaultPostgres
import CallVaultSettings
import CallVaultTestSupport
import Foundation
import Testing

@Suite("PostgreSQL password: password_file, PGPASSWORD, ~/.pgpass")
struct PostgresCredentialsTests {
    let url: PostgresURL

    init() throws { url = try PostgresURL("postgres://worker@db.example.net:5433/calls") }

    private func write(_ text: String, to path: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test("~/.pgpass as libpq reads it: the first matching line, * wildcards, \\: and \\\\ escapes, # comments")
    func passFileFormat() {
        let file = PostgresPassFile(text: """
            # comment:with:colons:and:more
            other.host:5433:calls:worker:not-this-one
            db.example.net:5432:calls:worker:wrong-port
            db.example.net:5433:*:worker:pa\\:ss\\\\word
            *:*:*:*:fallback
            too:few:fields
            """)
        #expect(file.password(host: "db.example.net", port: 5433, database: "calls", user: "worker") == "pa:ss\\word")
        #expect(file.password(host: "db.example.net", port: 5433, database: "reports", user: "worker") == "pa:ss\\word")
        #expect(file.password(host: "db.example.net", port: 5432, database: "calls", user: "worker") == "wrong-port")
        #expect(file.password(host: "elsewhere", port: 1, database: "x", user: "y") == "fallback")
        #expect(PostgresPassFile(text: "a:1:b:c:p:with:colons\r\n").password(host: "a", port: 1, database: "b", user: "c") == "p:with:colons")
        #expect(PostgresPassFile(text: "# only a comment\n").entries.isEmpty)
    }

    @Test("the order: password_file, then PGPASSWORD, then PGPASSFILE or ~/.pgpass; none is allowed")
    func order() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.path
        try write("db.example.net:5433:calls:worker:from-pgpass\n", to: home + "/.pgpass", mode: 0o600)
        try write("from-file\nsecond line ignored\n", to: home + "/pw", mode: 0o600)
        try write("*:*:*:worker:from-pgpassfile\n", to: home + "/other-pgpass", mode: 0o600)

        let fromFile = try PostgresCredentials.resolve(url: url, passwordFile: home + "/pw", environment: ["PGPASSWORD": "env"], home: home)
        #expect(fromFile.password == "from-file" && fromFile.source == .passwordFile(home + "/pw"))
        let fromEnv = try PostgresCredentials.resolve(url: url, passwordFile: nil, environment: ["PGPASSWORD": "env"], home: home)
        #expect(fromEnv.password == "env" && fromEnv.source == .environment)
        let fromPgpass = try PostgresCredentials.resolve(url: url, passwordFile: nil, environment: [:], home: home)
        #expect(fromPgpass.password == "from-pgpass" && fromPgpass.source == .passFile(home + "/.pgpass"))
        let fromPassFileVariable = try PostgresCredentials.resolve(url: url, passwordFile: nil,
                                                                   environment: ["PGPASSFILE": home + "/other-pgpass"], home: home)
        #expect(fromPassFileVariable.password == "from-pgpassfile")
        let none = try PostgresCredentials.resolve(url: url, passwordFile: nil, environment: [:], home: home + "/nowhere")
        #expect(none.password == nil && none.source == .none && none.notes.isEmpty)
    }

    @Test("a ~/.pgpass others may read is not used (as libpq), and a note says why; such a password_file is refused")
    func modes() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.path
        try write("*:*:*:*:secret\n", to: home + "/.pgpass", mode: 0o644)
        let ignored = try PostgresCredentials.resolve(url: url, passwordFile: nil, environment: [:], home: home)
        #expect(ignored.password == nil)
        #expect(ignored.notes.first?.contains("644") == true && ignored.notes.first?.contains("chmod 0600") == true, "\(ignored.notes)")

        try write("secret\n", to: home + "/pw", mode: 0o640)
        let refused = #expect(throws: PostgresIndexError.self) {
            _ = try PostgresCredentials.resolve(url: url, passwordFile: home + "/pw", environment: [:], home: home)
        }
        #expect(refused?.kind == .credentials && refused?.message.contains("640") == true && refused?.message.contains(home + "/pw") == true,
                "\(String(describing: refused))")
        try write("\nsecret\n", to: home + "/empty-first", mode: 0o600)
        #expect(throws: PostgresIndexError.self) {
            _ = try PostgresCredentials.resolve(url: url, passwordFile: home + "/empty-first", environment: [:], home: home)
        }
        #expect(throws: PostgresIndexError.self) {
            _ = try PostgresCredentials.resolve(url: url, passwordFile: home + "/missing", environment: [:], home: home)
        }
    }
}
