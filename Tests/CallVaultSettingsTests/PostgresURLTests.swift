import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

private func refusal(_ text: String) -> String? {
    do { _ = try PostgresURL(text); return nil } catch let e as PostgresURLError { return e.message } catch { return "\(error)" }
}

private func configError(_ text: String) -> ConfigError? {
    do { _ = try Config.parse(text: text, file: "c.toml", baseFolder: "/base"); return nil } catch let e as ConfigError { return e } catch { return nil }
}

@Suite("PostgreSQL URL (database = \"postgres://…\")")
struct PostgresURLTests {
    @Test("every part is read; the port defaults to 5432 and sslmode to prefer")
    func parts() throws {
        let full = try PostgresURL("postgres://worker@db.example.net:6543/calls?sslmode=verify-full")
        #expect(full.user == "worker" && full.host == "db.example.net" && full.port == 6543 && full.database == "calls")
        #expect(full.sslMode == .verifyFull)
        let plain = try PostgresURL("postgresql://worker@db.example.net/calls")
        #expect(plain.port == 5432 && plain.port == Settings.Defaults.postgresPort)
        #expect(plain.sslMode == .prefer && plain.sslMode == Settings.Defaults.postgresSSLMode)
        #expect(plain.description == "postgres://worker@db.example.net:5432/calls?sslmode=prefer")
        let v6 = try PostgresURL("postgres://w%40corp@[::1]:5433/my%20db?sslmode=disable")
        #expect(v6.host == "::1" && v6.port == 5433 && v6.user == "w@corp" && v6.database == "my db" && v6.sslMode == .disable)
        #expect(try PostgresURL(v6.description) == v6, "the written-back URL reads as the same")
    }

    @Test("sslmode: disable, prefer, require and verify-full; anything else is refused, naming the four", arguments: [
        ("disable", PostgresURL.SSLMode.disable), ("prefer", .prefer), ("require", .require), ("verify-full", .verifyFull),
    ])
    func sslModes(text: String, mode: PostgresURL.SSLMode) throws {
        #expect(try PostgresURL("postgres://u@h/d?sslmode=\(text)").sslMode == mode)
    }

    @Test("refused: a password in the URL, a missing user, host or database, a bad port, an unknown parameter or sslmode")
    func refusals() throws {
        let password = try #require(refusal("postgres://worker:s3cret@db/calls"))
        #expect(password.contains("password") && password.contains("PGPASSWORD") && password.contains("password_file"))
        #expect(!password.contains("s3cret"), "the refusal must not repeat the password")
        #expect(refusal("postgres://db/calls")?.contains("no user") == true)
        #expect(refusal("postgres://u@/calls")?.contains("no host") == true)
        #expect(refusal("postgres://u@db")?.contains("no database") == true)
        #expect(refusal("postgres://u@db/")?.contains("one database") == true)
        #expect(refusal("postgres://u@db:99999/calls")?.contains("port") == true)
        #expect(refusal("postgres://u@db:x/calls")?.contains("port") == true)
        #expect(refusal("postgres://u@db/calls?connect_timeout=3")?.contains("connect_timeout") == true)
        let mode = try #require(refusal("postgres://u@db/calls?sslmode=verify-ca"))
        #expect(mode.contains("verify-ca") && mode.contains("disable, prefer, require, verify-full"))
        #expect(refusal("mysql://u@db/calls")?.contains("not a postgres:// URL") == true)
    }

    @Test("a database URL is kept as written, never resolved as a path; a bad one is refused at its line")
    func config() throws {
        let c = try Config.parse(text: "workers = 1\ndatabase = \"postgres://worker@db:5432/calls\"\npassword_file = \"pg.pw\"",
                                 file: "c.toml", baseFolder: "/base")
        #expect(c.database == "postgres://worker@db:5432/calls")
        let expected = try PostgresURL("postgres://worker@db:5432/calls")
        #expect(c.postgres == expected)
        #expect(c.passwordFile == "/base/pg.pw")
        let sqlite = try Config.parse(text: "database = \"index.sqlite\"", file: "c.toml", baseFolder: "/base")
        #expect(sqlite.database == "/base/index.sqlite" && sqlite.postgres == nil)

        let bad = try #require(configError("workers = 1\ndatabase = \"postgres://worker:pw@db/calls\""))
        #expect(bad.line == 2 && bad.message.hasPrefix("database: a password in the URL is refused"), "\(bad)")
        let other = try #require(configError("database = \"mysql://worker@db/calls\""))
        #expect(other.line == 1 && other.message.contains("not a postgres:// URL"), "\(other)")
        let stray = try #require(configError("database = \"index.sqlite\"\npassword_file = \"pw\""))
        #expect(stray.line == 2 && stray.message.contains("only read for a PostgreSQL database"), "\(stray)")
    }

    @Test("a text with a scheme is a URL, whatever the scheme; a path is not")
    func looksLikeURL() {
        #expect(PostgresURL.looksLikeURL("postgres://u@h/d"))
        #expect(PostgresURL.looksLikeURL("sqlite://x"))
        #expect(!PostgresURL.looksLikeURL("/srv/calls/index.sqlite"))
        #expect(!PostgresURL.looksLikeURL("data/callvault.sqlite"))
        #expect(!PostgresURL.looksLikeURL("://x"))
    }
}
