import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

private func parse(_ text: String) throws -> Config { try Config.parse(text: text, file: "c.toml", baseFolder: "/base") }

private func error(_ text: String) -> ConfigError? {
    do { _ = try parse(text); return nil } catch let e as ConfigError { return e } catch { return nil }
}

@Suite("Config file")
struct ConfigTests {
    @Test("[pci] mask_dtmf: absent is nil (on by default), false is read, other keys and types refused")
    func pci() throws {
        #expect(try parse("workers = 1").maskDTMF == nil)
        #expect(try parse("[pci]\nmask_dtmf = false").maskDTMF == false)
        #expect(try parse("[pci]\nmask_dtmf = true").maskDTMF == true)
        #expect(error("[pci]\nmask_digits = true")?.line == 2)
        #expect(error("[pci]\nmask_dtmf = 1")?.line == 2)
    }

    @Test("[serve] time_zone: an IANA name is kept, absent is UTC (Settings.Defaults.serveTimeZone), an unknown zone is refused at its line")
    func serveTimeZone() throws {
        #expect(try parse("[serve]\ntime_zone = \"America/New_York\"").serveTimeZone == "America/New_York")
        #expect(Settings(config: try parse("[serve]\ntime_zone = \"Europe/Paris\"")).serve.timeZone == "Europe/Paris")
        #expect(Settings(config: try parse("workers = 1")).serve.timeZone == Settings.Defaults.serveTimeZone)
        #expect(Settings.Defaults.serveTimeZone == "UTC")
        let e = error("[serve]\nlisten = \":8080\"\ntime_zone = \"Mars/Olympus\"")
        #expect(e?.line == 3, "\(String(describing: e))")
        #expect(e?.message.contains("Mars/Olympus") == true, "\(String(describing: e))")
        #expect(error("[serve]\ntime_zone = 5")?.line == 2)
    }

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
        #expect(c.analysis?.minSilenceMs == 1500 && c.analysis?.activeThresholdDbfs == -45)
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

/// The retention part of samples/callvault.toml: rules on lines 2, 8 and 14 (their keys on 3–6, 9–12, 15–17).
private let threeRules = "# retention\n" + ConfigText.threeRetentionRules + "\n"

@Suite("Config file: retention rules are reported at their own lines")
struct RetentionRuleLineTests {
    @Test("an error in the 1st, 2nd or 3rd rule is at the line of the offending key in that rule", arguments: [
        ("keep_audio_days = 2557", "keep_audio_days = \"2557\"", 5, "keep_audio_days must be an integer"),
        ("keep_audio_days = 30", "keep_audio_days = \"30\"", 11, "keep_audio_days must be an integer"),
        ("outcome = [\"missed\", \"abandoned\"]", "outcome = [\"missed\", \"abandonned\"]", 10, "unknown outcome \"abandonned\""),
        ("keep_record_days = 730", "keep_record_days = -1", 17, "keep_record_days must be between 0 and 100000"),
        ("name = \"default\"", "name = \"default\"\nkeep_days = 3", 16, "unknown key \"keep_days\" in [retention.rules]"),
    ])
    func keyErrors(_ from: String, _ to: String, _ line: Int, _ message: String) throws {
        let e = try #require(configError(threeRules.replacingOccurrences(of: from, with: to)))
        #expect(e.line == line, "\(e)")
        #expect(e.message.contains(message), "\(e)")
    }

    @Test("policy errors that had no line get the rule's: record shorter than audio, a duplicate name, a rule after the default, a missing key", arguments: [
        ("keep_record_days = 90", "keep_record_days = 10", 12, "keeps the record (10 days) shorter than the audio (30 days)"),
        ("name = \"default\"", "name = \"compliance\"", 15, "retention rule name \"compliance\" is used twice"),
        ("campaign = \"Compliance-*\"\n", "", 2, "retention rule \"compliance\" matches every call"),
        ("keep_audio_days = 30\n", "", 9, "retention rule \"unanswered\": keep_audio_days is required"),
        ("name = \"default\"\n", "name = \"default\"\noutcome = \"answered\"\n", 14, "retention has no default rule"),
    ])
    func policyErrors(_ from: String, _ to: String, _ line: Int, _ message: String) throws {
        let text = threeRules.replacingOccurrences(of: from, with: to)
        #expect(text != threeRules)
        let e = try #require(configError(text))
        #expect(e.line == line, "\(e)")
        #expect(e.message.contains(message), "\(e)")
    }

    @Test("an [analysis] problem is at the line of its key")
    func analysisProblemLine() throws {
        let e = try #require(configError("[analysis]\nframe_ms = 20\nbridge_gap_ms = -1\n"))
        #expect(e.line == 3 && e.message.contains("bridge_gap_ms must"), "\(e)")
    }

    private func configError(_ text: String) -> ConfigError? {
        do { _ = try parse(text); return nil } catch let e as ConfigError { return e } catch { return nil }
    }
}

@Suite("Config and job files: no bytes may abort the process")
struct MalformedConfigTests {
    /// The config with a typo that made toml++ (inside TOMLKit 0.6.0) assert in parse_key (issue 18).
    static let issue18 = "[analysis]\nframe_ms = 20\n[\nworkers = 2\nkeep_originals = false\ndefault_countr[[retentions = 120 2\n"

    @Test("the input from issue 18 is refused at its line")
    func issueInput() throws {
        #expect(throws: ConfigError.self) { try Config.parse(text: Self.issue18, file: "crash.toml", baseFolder: "/") }
        do { _ = try Config.parse(text: Self.issue18, file: "crash.toml", baseFolder: "/") } catch let e as ConfigError {
            #expect(e.description.hasPrefix("crash.toml:3: not valid TOML: expected a key"), "\(e)")
        }
        do { _ = try JobFile.parse(text: Self.issue18, file: "crash.toml", name: "crash", baseFolder: "/") } catch let e as ConfigError {
            #expect(e.line == 3, "\(e)")
        }
    }

    /// The five toml-test files that aborted `config check` under TOMLKit (issue 18).
    @Test("toml-test files that made TOMLKit abort are refused with a line", arguments: [
        "invalid/key/single-open-bracket.toml", "invalid/table/bare-invalid-character-01.toml", "invalid/table/dot.toml",
        "invalid/table/dotdot.toml", "invalid/table/no-close-04.toml",
    ])
    func tomlKitAborts(_ file: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TOMLTest/\(file)")
        let text = try String(contentsOf: url, encoding: .utf8)
        for parse in [{ _ = try Config.parse(text: text, file: "f.toml", baseFolder: "/") },
                      { _ = try JobFile.parse(text: text, file: "f.toml", name: "f", baseFolder: "/") }] {
            do { try parse(); Issue.record("\(file) accepted") } catch let e as ConfigError {
                #expect(e.line != nil && e.message.hasPrefix("not valid TOML: "), "\(e)")
            }
        }
    }
}

@Suite("The window of plausible started_at values")
struct PlausibleTimesConfigTests {
    @Test("earliest_started_at and max_days_ahead set the window; a bad date names its line")
    func window() throws {
        let c = try Config.parse(text: "[queue]\nearliest_started_at = \"2010-01-01\"\nmax_days_ahead = 2\n", file: "c.toml", baseFolder: "/")
        let window = try #require(c.plausibleTimes)
        #expect(Timestamp.format(window.earliest) == "2010-01-01T00:00:00Z")
        #expect(window.maxDaysAhead == 2)
        #expect(try Config.parse(text: "workers = 1\n", file: "c.toml", baseFolder: "/").plausibleTimes == nil)
        #expect(throws: ConfigError.self) {
            try Config.parse(text: "[queue]\nearliest_started_at = \"long ago\"\n", file: "c.toml", baseFolder: "/")
        }
    }
}
