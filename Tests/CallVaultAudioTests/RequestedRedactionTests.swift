@testable import CallVaultAudio
import CallVaultCore
import CallVaultFiles
import Foundation
import Testing

private func tempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "callvault-redact-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Decodes an Opus file with opusdec (an independent decoder) at `rate`; interleaved samples.
private func decode(_ opus: String, rate: Int, dir: String) throws -> [Float] {
    let wav = dir + "/" + UUID().uuidString + ".wav"
    let r = try Support.run("opusdec", ["--quiet", "--rate", "\(rate)", opus, wav])
    try Support.require(r.status == 0, "opusdec: \(r.stderr)")
    let reader = try AudioReader(path: wav)
    var all: [Float] = []
    var block = [Float](repeating: 0, count: 4096 * reader.channels)
    while case let n = try reader.read(into: &block, frames: 4096), n > 0 { all.append(contentsOf: block[0..<n * reader.channels]) }
    return all
}

/// RMS in dBFS of `[fromMs, toMs)`, all channels together.
private func dbfs(_ x: [Float], rate: Int, channels: Int, _ fromMs: Int, _ toMs: Int) -> Double {
    let s = max(0, fromMs * rate / 1000) * channels, e = min(x.count, toMs * rate / 1000 * channels)
    let sum = x[s..<max(s, e)].reduce(0.0) { $0 + Double($1) * Double($1) }
    return 10 * log10(max(sum / Double(max(1, e - s)), 1e-20))
}

@Suite("Requested redactions: the sidecar's redact spans silenced on every channel")
struct RequestedRedactionTests {
    private func encode(_ input: String, to path: String, maskDTMF: Bool, redact: [Interval]) throws -> TranscodeResult {
        var options = TranscodeOptions()
        options.maskDTMF = maskDTMF
        options.redact = redact
        options.serial = 7
        let out = try AtomicFile(path: path)
        let result = try Transcoder.run(input: input, output: out, options: options)
        _ = try out.finish()
        return result
    }

    @Test("speech in a requested span is gone from the archive (< -60 dBFS), the speech around it unchanged (±1 dB)",
          .enabled(if: Support.which("opusdec") != nil), arguments: [("speech.wav", true), ("speech-16k.wav", false)])
    func masked(fixture: String, maskDTMF: Bool) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = FixtureAudio.path(fixture)
        let (original, rate, channels) = try FixtureAudio.samples(fixture)
        let span = Interval(startMs: 3000, endMs: 5500)
        let masked = try encode(input, to: dir + "/masked.opus", maskDTMF: maskDTMF, redact: [span])
        let plain = try encode(input, to: dir + "/plain.opus", maskDTMF: maskDTMF, redact: [])
        #expect(masked.analysis.redactions == [Redaction(startMs: 3000, endMs: 5500, channel: nil, reason: "requested")])
        #expect(masked.analysis.dtmfTonesMasked == 0)
        #expect(masked.analysis.warnings == plain.analysis.warnings)
        let withMask = try decode(dir + "/masked.opus", rate: rate, dir: dir)
        let without = try decode(dir + "/plain.opus", rate: rate, dir: dir)
        #expect(withMask.count == original.count)
        let inputLevel = dbfs(original, rate: rate, channels: channels, span.startMs + 20, span.endMs - 20)
        #expect(inputLevel > -45, "the fixture has speech in the span (\(inputLevel) dBFS)")
        let inside = dbfs(withMask, rate: rate, channels: channels, span.startMs + 20, span.endMs - 20)
        #expect(inside < -60, "\(inside) dBFS inside the span")
        for (s, e) in [(span.startMs - 2000, span.startMs - 20), (span.endMs + 20, span.endMs + 2000)] {
            let a = dbfs(withMask, rate: rate, channels: channels, s, e), b = dbfs(without, rate: rate, channels: channels, s, e)
            #expect(abs(a - b) <= 1, "\(s)–\(e) ms: \(a) dBFS masked, \(b) dBFS without")
        }
    }

    @Test("a span past the end is clamped to it, one after the end dropped; both said in the warnings")
    func clamped() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = FixtureAudio.path("speech.wav")
        let durationMs = try Transcoder.run(input: input, output: nil, options: TranscodeOptions()).analysis.durationMs
        let result = try encode(input, to: dir + "/out.opus", maskDTMF: true, redact: [
            Interval(startMs: durationMs - 1000, endMs: durationMs + 60_000), Interval(startMs: durationMs + 10, endMs: durationMs + 20),
        ])
        #expect(result.analysis.redactions == [Redaction(startMs: durationMs - 1000, endMs: durationMs, channel: nil, reason: "requested")])
        let warnings = result.analysis.warnings.filter { $0.hasPrefix("sidecar redact[") }
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.first?.contains("masked to the end") == true)
        #expect(warnings.last?.contains("nothing to mask") == true)
    }
}
