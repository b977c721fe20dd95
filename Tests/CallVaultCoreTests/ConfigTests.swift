import CallVaultCore
import Testing

private func parse(_ text: String) throws -> Config { try Config.parse(text: text, file: "c.toml", baseFolder: "/base") }

private func error(_ text: String) -> ConfigError? {
    do { _ = try parse(text); return nil } catch let e as ConfigError { return e } catch { return nil }
}

@Suite("Config file")
struct ConfigTests {
    @Test("paths resolve against the file's folder; sections set their settings")
    func valid() throws {
        let c = try parse("""
        spool = "spool"
        archive = "/srv/archive"
        workers = 4

        [encoder]
        bitrate = 12000
        complexity = 3

        [analysis]
        min_silence_ms = 1500
        active_threshold_dbfs = -45
        """)
        #expect(c.spool == "/base/spool")
        #expect(c.archive == "/srv/archive")
        #expect(c.workers == 4)
        #expect(c.bitrate == 12000 && c.complexity == 3)
        #expect(c.analysis.minSilenceMs == 1500 && c.analysis.activeThresholdDbfs == -45)
    }

    @Test("errors name the line", arguments: [
        ("spool = \"a\"\nworkers = 0\n", 2, "workers must be between 1 and 256"),
        ("spool = \"a\"\n\n[encoder]\nbitrate = 2\n", 4, "bitrate must be between"),
        ("spool = \"a\"\nspol = \"b\"\n", 2, "unknown key \"spol\""),
        ("spool = \"a\"\n[analysis]\nframe = 20\n", 3, "unknown key \"frame\" in [analysis]"),
        ("spool = \n", 1, "not valid TOML"),
        ("workers = \"two\"\n", 1, "workers must be an integer"),
    ])
    func errors(_ text: String, _ line: Int, _ message: String) {
        let e = error(text)
        #expect(e?.line == line, "\(String(describing: e))")
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
    }
}

@Suite("Config file: input the TOML parser would assert on")
struct ConfigPrecheckTests {
    @Test("a non-ASCII character in a key is an error with its line, not a crash (found by fuzzing)")
    func nonASCIIKey() {
        let text = "[analysis]\nframe_ms = 20\n[\u{FFFD}retention.rules]]\n"
        #expect(throws: ConfigError.self) { try Config.parse(text: text, file: "c.toml", baseFolder: "/") }
        do { _ = try Config.parse(text: text, file: "c.toml", baseFolder: "/") } catch let e as ConfigError {
            #expect(e.line == 3 && e.message.contains("U+FFFD"))
        } catch {}
    }

    @Test("non-ASCII text inside strings and comments is fine")
    func unicodeInStrings() throws {
        let c = try Config.parse(text: "# Überblick\nspool = \"spöol\" # ok\n[encoder]\ncomplexity = 5\n", file: "c.toml", baseFolder: "/b")
        #expect(c.spool == "/b/spöol")
    }
}
