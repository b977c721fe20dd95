import Foundation
import Testing

/// Per-channel RMS (dBFS) of interleaved 32-bit floats over [start, end) seconds at `rate`.
private func levels(_ data: Data, channels: Int, rate: Int, from start: Double, to end: Double) -> [Double] {
    data.withUnsafeBytes { raw -> [Double] in
        let floats = raw.bindMemory(to: Float.self)
        let frames = floats.count / channels
        let a = min(frames, Int(start * Double(rate))), b = min(frames, Int(end * Double(rate)))
        return (0..<channels).map { c in
            var sum = 0.0
            for i in a..<b { let s = Double(floats[i * channels + c]); sum += s * s }
            return b > a ? 10 * log10(max(sum / Double(b - a), 1e-20)) : -200
        }
    }
}

@Suite("every channel comes back in input order")
struct ChannelOrderTests {
    /// An `n`-channel WAV where channel k carries 2 s of real speech in the window [2k, 2k + 2) s and
    /// digital silence everywhere else.
    private static func staggered(channels n: Int, into path: String) throws {
        var graph = "[0]atrim=0.2:2.2,asetpts=N/SR/TB,asplit=\(n)" + (0..<n).map { "[s\($0)]" }.joined() + ";"
        for k in 0..<n {
            graph += "[s\(k)]adelay=\(2000 * k),apad=whole_dur=\(2 * n),aformat=channel_layouts=mono[c\(k)];"
        }
        graph += (0..<n).map { "[c\($0)]" }.joined() + "amerge=inputs=\(n)"
        let r = try Support.run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", Support.fixture("speech.wav"),
                                           "-filter_complex", graph, "-c:a", "pcm_s16le", path])
        try #require(r.status == 0, "\(r.stderr)")
    }

    @Test("3 to 8 channels: mapping family 255, and ffmpeg decodes speech only on the channel it was on",
          arguments: 3...8)
    func order(channels n: Int) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("in.wav").path
        try Self.staggered(channels: n, into: wav)
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", wav, out])
        try #require(r.status == 0, "\(r.stderr)")

        let info = try Support.opusinfoLength(out)
        #expect(info.output.contains("Channels: \(n)"), "\(info.output)")
        #expect(!info.output.contains("WARNING") && !info.output.contains("ERROR"), "\(info.output)")
        #expect(abs(info.seconds - Double(2 * n)) < 0.001, "opusinfo \(info.seconds) s for \(2 * n) s")
        let probe = try Support.run("ffprobe", ["-v", "warning", "-show_entries", "stream=channels", "-of", "csv=p=0", out])
        #expect(probe.stderr.isEmpty && probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(n)", "\(probe.stdout) \(probe.stderr)")
        // The OpusHead's mapping family byte (offset 18 of the first packet, 28 + 18 in the first page).
        let head = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(head[28 + 18] == 255)

        // callvault's own analysis of the archive (libsndfile's Opus decoder) puts each channel's
        // activity where the source had it, so channel roles still name the right side.
        func perChannel(_ path: String) throws -> [[[String: Int]]] {
            let a = try Support.json(try Support.callvault(["analyze", path, "--json"]).stdout) as? [String: Any]
            return (a?["per_channel"] as? [[String: Any]] ?? []).map { $0["activity"] as? [[String: Int]] ?? [] }
        }
        let source = try perChannel(wav), archived = try perChannel(out)
        #expect(source.count == n && archived.count == n)
        for (c, (s, a)) in zip(source, archived).enumerated() {
            let close = s.count == a.count && zip(s, a).allSatisfy {
                abs($0["start_ms"]! - $1["start_ms"]!) <= 40 && abs($0["end_ms"]! - $1["end_ms"]!) <= 40
            }
            #expect(close, "channel \(c): source \(s), archive \(a)")
        }

        let raw = dir.appendingPathComponent("out.f32").path
        // -guess_layout_max 0: no "Guessed Channel Layout" label; the samples are the same either way.
        let d = try Support.run("ffmpeg", ["-nostdin", "-v", "warning", "-y", "-guess_layout_max", "0", "-i", out, "-f", "f32le", "-ar", "8000", raw])
        try #require(d.status == 0 && d.stderr.isEmpty, "\(d.stderr)")
        let pcm = try Data(contentsOf: URL(fileURLWithPath: raw))
        #expect(abs(pcm.count / (4 * n) - 16000 * n) <= 160, "decoded \(pcm.count / (4 * n)) frames")
        for window in 0..<n {
            // The middle of each window, clear of the encoder's delay at its edges.
            let level = levels(pcm, channels: n, rate: 8000, from: Double(2 * window) + 0.2, to: Double(2 * window) + 1.8)
            for channel in 0..<n {
                if channel == window {
                    #expect(level[channel] > -35, "\(n) ch, window \(window): channel \(channel) at \(level[channel]) dBFS, speech expected")
                } else {
                    #expect(level[channel] < -60, "\(n) ch, window \(window): channel \(channel) at \(level[channel]) dBFS, silence expected")
                }
            }
        }
    }
}
