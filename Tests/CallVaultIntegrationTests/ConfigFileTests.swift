import Foundation
import Testing

@Suite("callvault config check, run --config and job run on malformed TOML")
struct ConfigFileTests {
    /// Issue 18: this config with a typo made toml++ (inside TOMLKit 0.6.0) abort with SIGABRT (exit 134).
    static let crash = "[analysis]\nframe_ms = 20\n[\nworkers = 2\nkeep_originals = false\ndefault_countr[[retentions = 120 2\n"

    @Test("every command that reads a config or job file answers FILE:LINE: reason and exit 2, never an abort", arguments: [
        ["config", "check"], ["run", "--once", "--config"], ["job", "run"],
    ])
    func malformed(_ command: [String]) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("crash.toml").path
        try Self.crash.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Support.callvault(command + [file])
        #expect(r.status == 2, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("crash.toml:3: not valid TOML: expected a key"), "\(r.stderr)")
    }

    @Test("config check reports an error in the 2nd retention rule at its line (samples/callvault.toml, line 35)")
    func secondRuleLine() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = try String(contentsOf: Support.packageRoot.appendingPathComponent("samples/callvault.toml"), encoding: .utf8)
        let lines = sample.split(separator: "\n", omittingEmptySubsequences: false)
        let target = try #require(lines.firstIndex { $0.hasPrefix("keep_audio_days = 30") })
        let edited = sample.replacingOccurrences(of: "keep_audio_days = 30", with: "keep_audio_days = \"30\"")
        let file = dir.appendingPathComponent("c.toml").path
        try edited.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["config", "check", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("c.toml:\(target + 1): keep_audio_days must be an integer"), "\(r.stderr)")
    }
}
