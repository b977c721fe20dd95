import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

@Suite("Settings: every default in one place, the config's values over them")
struct SettingsTests {
    @Test("without a config every setting is its default")
    func defaults() {
        let s = Settings()
        #expect(s.countryCode == Settings.Defaults.countryCode)
        #expect(s.encoder.bitratePerChannel == nil && s.encoder.complexity == Settings.Defaults.complexity)
        #expect(s.analysis == Settings.Defaults.analysis)
        #expect(s.maskDTMF == Settings.Defaults.maskDTMF)
        #expect(s.queue.maxAttempts == Settings.Defaults.maxAttempts && s.queue.leaseSeconds == Settings.Defaults.leaseSeconds)
        #expect(s.queue.pollSeconds == Settings.Defaults.pollSeconds && s.queue.settleSeconds == Settings.Defaults.settleSeconds)
        #expect(s.queue.plausibleTimes == Settings.Defaults.plausibleTimes)
        #expect(s.serve.listen == Settings.Defaults.serveListen && s.serve.sessionHours == Settings.Defaults.sessionHours)
        #expect(s.retention == nil && s.archiveGroup == nil && s.keepOriginals == Settings.Defaults.keepOriginals)
        #expect(s.workers == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test("the shipped defaults are the documented ones")
    func documentedDefaults() {
        #expect(Settings.Defaults.countryCode == "1")
        #expect(Settings.Defaults.complexity == 5)
        #expect([8000, 12000, 16000, 48000].map(Settings.Defaults.bitrate(opusRate:)) == [16000, 20000, 24000, 32000])
        let a = Settings.Defaults.analysis
        let thresholds: [Int] = [a.frameMs, a.bridgeGapMs, a.minSegmentMs, a.minSilenceMs, a.answeredTalkMs, a.missedMinDurationMs]
        #expect(thresholds == [20, 300, 100, 2000, 3000, 30000])
        #expect(a.activeThresholdDbfs == -40 && a.problems().isEmpty)
        #expect(Settings.Defaults.serveListen == "127.0.0.1:8080")
    }

    @Test("each section of the config sets its settings; keys it leaves out keep their defaults")
    func fromConfig() throws {
        let c = try Config.parse(text: """
            workers = 3
            keep_originals = true
            default_country_code = "44"
            archive_group = "calls"

            [encoder]
            bitrate = 12000
            complexity = 9

            [analysis]
            min_silence_ms = 1500

            [pci]
            mask_dtmf = false

            [queue]
            max_attempts = 5
            settle_seconds = 0

            [serve]
            listen = "0.0.0.0:9000"
            """, file: "c.toml", baseFolder: "/base")
        let s = Settings(config: c)
        #expect(s.workers == 3 && s.keepOriginals && s.archiveGroup == "calls")
        #expect(s.countryCode == "44" && s.numberReading.read("020 7946 0958") == .e164("+442079460958"))
        #expect(s.encoder.bitratePerChannel == 12000 && s.encoder.complexity == 9)
        var analysis = Settings.Defaults.analysis
        analysis.minSilenceMs = 1500
        #expect(s.analysis == analysis)
        #expect(!s.maskDTMF)
        #expect(s.queue.maxAttempts == 5 && s.queue.settleSeconds == 0 && s.queue.leaseSeconds == Settings.Defaults.leaseSeconds)
        #expect(s.serve.listen == "0.0.0.0:9000" && s.serve.sessionHours == Settings.Defaults.sessionHours)
    }

    @Test("the config's encoder limits are the defaults' ranges")
    func encoderLimits() {
        func message(_ text: String) -> String? {
            do { _ = try Config.parse(text: text, file: "c.toml", baseFolder: "/"); return nil } catch let e as ConfigError { return e.message } catch { return nil }
        }
        let b = Settings.Defaults.bitrateRange, k = Settings.Defaults.complexityRange
        #expect(message("[encoder]\nbitrate = \(b.lowerBound)\ncomplexity = \(k.upperBound)\n") == nil)
        #expect(message("[encoder]\nbitrate = \(b.lowerBound - 1)\n") == "bitrate must be between \(b.lowerBound) and \(b.upperBound) (got \(b.lowerBound - 1))")
        #expect(message("[encoder]\ncomplexity = \(k.upperBound + 1)\n") == "complexity must be between \(k.lowerBound) and \(k.upperBound) (got \(k.upperBound + 1))")
    }
}

/// Three `[[retention.rules]]` entries that all write the same keys: headers on lines 1, 8 and 15.
private let sameKeys = """
[[retention.rules]]
name = "compliance"
campaign = "Compliance-*"
outcome = "answered"
tracking_number = "+14155550100"
keep_audio_days = 2557
keep_record_days = 2557
[[retention.rules]]
name = "unanswered"
campaign = "Sales-*"
outcome = ["missed", "abandoned"]
tracking_number = "+14155550101"
keep_audio_days = 30
keep_record_days = 90
[[retention.rules]]
name = "default"
keep_audio_days = 365
keep_record_days = 730
"""

@Suite("Config file: an error in the third [[retention.rules]] entry is at its own line")
struct ThirdRetentionRuleTests {
    /// Each case breaks only the third entry, with a key the first two entries also have, so the
    /// line of the first entry's key (line 2–7) would be wrong.
    @Test("only the third entry is bad: the error is at the offending key's line in that entry", arguments: [
        ("keep_audio_days = 365", "keep_audio_days = \"365\"", 17, "keep_audio_days must be an integer"),
        ("keep_record_days = 730", "keep_record_days = 100001", 18, "keep_record_days must be between 0 and 100000"),
        ("keep_record_days = 730", "keep_record_days = 300", 18, "retention rule \"default\" keeps the record (300 days) shorter than the audio (365 days)"),
        ("name = \"default\"", "name = \"compliance\"", 16, "retention rule name \"compliance\" is used twice"),
        ("name = \"default\"", "name = 7", 16, "name must be a string"),
        ("keep_audio_days = 365", "keep_audio_days = 365\noutcome = \"answred\"", 18, "unknown outcome \"answred\""),
        ("keep_audio_days = 365", "keep_audio_days = 365\ntracking_number = \"12\"", 18, "tracking_number \"12\" is not a phone number"),
        ("keep_audio_days = 365", "keep_audio_days = 365\ncampaing = \"x\"", 18, "unknown key \"campaing\" in [retention.rules]"),
    ])
    func thirdEntry(_ from: String, _ to: String, _ line: Int, _ message: String) throws {
        let text = sameKeys.replacingOccurrences(of: from, with: to)
        #expect(text != sameKeys)
        do {
            _ = try Config.parse(text: text, file: "c.toml", baseFolder: "/")
            Issue.record("accepted: \(text)")
        } catch let e as ConfigError {
            #expect(e.line == line, "\(e)")
            #expect(e.message.contains(message), "\(e)")
        }
    }

    @Test("the three entries as written are valid")
    func valid() throws {
        let policy = try #require(try Config.parse(text: sameKeys, file: "c.toml", baseFolder: "/").retention)
        #expect(policy.rules.map(\.name) == ["compliance", "unanswered", "default"])
    }
}

@Suite("[[retention.rules]] min_keep_days")
struct MinKeepDaysConfigTests {
    @Test("min_keep_days is read per rule; a rule without it has Settings.Defaults.minKeepDays; out of range is the key's line")
    func parsed() throws {
        let c = try Config.parse(text: """
            [[retention.rules]]
            name = "mifid"
            campaign = "Compliance-*"
            keep_audio_days = 1826
            keep_record_days = 1826
            min_keep_days = 1826

            [[retention.rules]]
            name = "default"
            keep_audio_days = 365
            keep_record_days = 730
            """, file: "c.toml", baseFolder: "/")
        let rules = try #require(c.retention?.rules)
        #expect(rules.map(\.minKeepDays) == [1826, Settings.Defaults.minKeepDays])
        #expect(Settings.Defaults.minKeepDays == 0)
        #expect(throws: ConfigError.self) {
            try Config.parse(text: "[[retention.rules]]\nname = \"d\"\nkeep_audio_days = 1\nkeep_record_days = 1\nmin_keep_days = -5\n",
                             file: "c.toml", baseFolder: "/")
        }
    }
}
