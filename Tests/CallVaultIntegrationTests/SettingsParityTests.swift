import Foundation
import Testing

/// `analyze` and `transcode` given `--config` take `[analysis]` and `[encoder]` from it exactly as
/// `run` does, so what an operator measures by hand agrees with what the index and archive hold.
@Suite("analyze and transcode with --config agree with what run stores")
struct SettingsParityTests {
    /// Every value differs from the defaults, so a command that ignored the file would disagree.
    static let config = """
    [encoder]
    bitrate = 8000
    complexity = 1

    [analysis]
    active_threshold_dbfs = -30
    bridge_gap_ms = 100
    min_silence_ms = 500
    answered_talk_ms = 600000
    """

    /// A fixture spool with the config written beside it and speech.wav archived by `run --config`.
    private func archived() throws -> (SpoolFixture, config: String) {
        let f = try SpoolFixture()
        let config = f.root.appendingPathComponent("callvault.toml").path
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        try f.add(stem: "speech", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "speech"))
        let r = try f.run(["--config", config])
        try Support.require(r.status == 0, "run: \(r.status) \(r.stderr)")
        return (f, config)
    }

    @Test("analyze --config gives the outcome, talk and silences run stored")
    func analyze() throws {
        let (f, config) = try archived()
        defer { f.remove() }
        let stored = try #require(try f.sql("""
            SELECT outcome, duration_ms, talk_ms, longest_silence_ms, leading_silence_ms, json_array_length(silences) FROM calls
            """).first)
        func analysed(_ extra: [String]) throws -> [String] {
            let r = try Support.callvault(["analyze", Support.fixture("speech.wav"), "--json"] + extra)
            try Support.require(r.status == 0, "analyze: \(r.stderr)")
            let a = try Support.jsonObject(r.stdout)
            let silences = try Support.field(a, "silences", as: [Any].self)
            return [try Support.field(a, "outcome", as: String.self)]
                + (try ["duration_ms", "talk_ms", "longest_silence_ms", "leading_silence_ms"].map { "\(try Support.field(a, $0, as: Int.self))" })
                + ["\(silences.count)"]
        }
        #expect(try analysed(["--config", config]) == stored)
        #expect(try analysed([]) != stored, "the config's thresholds change the numbers, so the comparison above means something")
    }

    @Test("transcode --config encodes with the config's bitrate and complexity, as run archived it")
    func transcode() throws {
        let (f, config) = try archived()
        defer { f.remove() }
        let archivePath = try #require(try f.sql("SELECT archive_path FROM calls").first?.first)
        let withConfig = f.root.appendingPathComponent("with-config.opus").path
        let plain = f.root.appendingPathComponent("plain.opus").path
        for (output, extra) in [(withConfig, ["--config", config]), (plain, [])] {
            let r = try Support.callvault(["transcode", Support.fixture("speech.wav"), output] + extra)
            try Support.require(r.status == 0, "transcode: \(r.stderr)")
        }
        // Same encoder settings give the same packets: the decoded audio is identical (the tags differ).
        func decoded(_ opus: String) throws -> String {
            let wav = opus + ".wav"
            _ = try Support.decodedSamples48k(opus, into: wav)
            return try f.sha256(wav)
        }
        let archived = try decoded(f.archive + "/" + archivePath)
        #expect(try decoded(withConfig) == archived)
        #expect(try decoded(plain) != archived, "the default encoder differs, so the comparison above means something")
        // 8 kbit/s against the default 16: the file with the config's bitrate is much the smaller.
        func size(_ path: String) throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) }
        let small = try size(withConfig), large = try size(plain)
        #expect(small * 5 < large * 4, "\(small) bytes at 8 kbit/s, \(large) at the default")
    }

    @Test("a bad --config is FILE:LINE: reason and exit 2 for analyze and transcode too", arguments: [["analyze"], ["transcode"]])
    func badConfig(_ command: [String]) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("bad.toml").path
        try "[encoder]\ncomplexity = 11\n".write(toFile: config, atomically: true, encoding: .utf8)
        let output = command == ["transcode"] ? [dir.appendingPathComponent("o.opus").path] : []
        let r = try Support.callvault(command + [Support.fixture("speech.wav")] + output + ["--config", config])
        #expect(r.status == 2, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("bad.toml:2: complexity must be between 0 and 10 (got 11)"), "\(r.stderr)")
    }
}
