import Foundation
import Testing

private let hasSox = FileManager.default.isExecutableFile(atPath: "/usr/bin/sox")

/// RMS in dBFS of channel `channel` of an interleaved 16-bit WAV decoded by sox to raw floats.
private func levels(_ wav: String, channels: Int, spans: [(Int, Int)], rate: Int, dir: String) throws -> [[Double]] {
    let raw = dir + "/levels.f32"
    let r = try Support.run("sox", [wav, "-t", "f32", "-e", "floating-point", raw])
    try Support.require(r.status == 0, r.stderr)
    let data = try Data(contentsOf: URL(fileURLWithPath: raw))
    let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return spans.map { s, e in
        (0..<channels).map { c in
            let from = s * rate / 1000, to = min(samples.count / channels, e * rate / 1000)
            var sum = 0.0
            for i in from..<to { let x = Double(samples[i * channels + c]); sum += x * x }
            return 10 * log10(max(sum / Double(max(1, to - from)), 1e-20))
        }
    }
}

@Suite("DTMF through the CLI")
struct DTMFCommandTests {
    @Test("analyze --json always has redactions and dtmf_tones_masked ([] and 0 for speech alone)")
    func fieldsAlwaysPresent() throws {
        let r = try Support.callvault(["analyze", Support.fixture("speech.wav"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try Support.jsonObject(r.stdout)
        #expect((a["redactions"] as? [Any])?.isEmpty == true)
        #expect(a["dtmf_tones_masked"] as? Int == 0)
    }

    @Test("caller's key presses on channel 1: reported on channel 1, silenced on both channels of the archive",
          .enabled(if: hasSox))
    func stereo() throws {
        let dir = try Support.temporaryDirectory().path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let speech = Support.fixture("speech.wav")
        // Channel 0: speech; channel 1: silence with three 80 ms presses from 2 s, and their leak on channel 0.
        let script = """
        cd '\(dir)'
        sox '\(speech)' -b 16 agent.wav trim 0 6
        sox -n -r 8000 -c 1 -b 16 k1.wav synth 0.08 sine 697 sine 1209 channels 2 remix 1v0.4,2v0.3 pad 0 0.12
        sox -n -r 8000 -c 1 -b 16 k2.wav synth 0.08 sine 852 sine 1336 channels 2 remix 1v0.4,2v0.3 pad 0 0.12
        sox -n -r 8000 -c 1 -b 16 k3.wav synth 0.08 sine 941 sine 1477 channels 2 remix 1v0.4,2v0.3 pad 0 0.12
        sox -n -r 8000 -c 1 -b 16 lead.wav trim 0 2
        sox lead.wav k1.wav k2.wav k3.wav keys.wav pad 0 3.4
        sox -m -v 1 agent.wav -v 0.05 keys.wav agent-leak.wav
        sox -M agent-leak.wav keys.wav in.wav
        """
        let gen = try Support.run("/bin/bash", ["-euo", "pipefail", "-c", script])
        try Support.require(gen.status == 0, gen.stderr)
        let input = dir + "/in.wav"
        let analysis = try Support.jsonObject(try Support.callvault(["analyze", input, "--json"]).stdout)
        #expect(analysis["dtmf_tones_masked"] as? Int == 3)
        let redactions = try #require(analysis["redactions"] as? [[String: Any]])
        #expect(!redactions.isEmpty && redactions.allSatisfy { $0["channel"] as? Int == 1 && $0["reason"] as? String == "dtmf" })
        let t = try Support.callvault(["transcode", input, dir + "/out.opus"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("dtmf: 3 key press(es)"), "\(t.stdout)")
        let d = try Support.run("opusdec", ["--quiet", "--rate", "8000", dir + "/out.opus", dir + "/dec.wav"])
        try Support.require(d.status == 0, d.stderr)
        let spans = redactions.compactMap { r -> (Int, Int)? in
            guard let s = r["start_ms"] as? Int, let e = r["end_ms"] as? Int else { return nil }
            return (s + 20, e - 20)
        }
        let before = try levels(input, channels: 2, spans: spans, rate: 8000, dir: dir)
        let after = try levels(dir + "/dec.wav", channels: 2, spans: spans, rate: 8000, dir: dir)
        for (b, a) in zip(before, after) {
            #expect(b[1] > -20 && b[0] > -50, "the input has tones (\(b[1]) dBFS) and speech (\(b[0]) dBFS) there")
            #expect(a[0] < -60 && a[1] < -60, "archive: \(a) dBFS in a masked span")
        }
        // With --no-mask-dtmf the tones stay.
        let kept = try Support.callvault(["transcode", input, dir + "/kept.opus", "--no-mask-dtmf"])
        #expect(kept.status == 0 && !kept.stdout.contains("dtmf:"))
    }
}
