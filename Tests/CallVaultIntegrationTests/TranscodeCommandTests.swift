import Foundation
import Testing

/// Sources and their expected input duration (ms) and encoding rate.
private let formats: [(String, Int)] = [
    ("speech.wav", 8000), ("speech-ulaw.wav", 8000), ("speech-alaw.wav", 8000), ("speech-gsm.wav", 8000),
    ("speech-ima.wav", 8000), ("speech.flac", 8000), ("speech.mp3", 8000), ("speech.ogg", 8000),
    ("speech.aiff", 8000), ("speech.au", 8000), ("speech.ulaw", 8000), ("speech.alaw", 8000),
    ("speech.gsm", 8000), ("speech.sln", 8000), ("speech.sln16", 16000), ("speech-16k.wav", 16000),
    ("speech-11025.wav", 11025), ("speech-44100.wav", 44100), ("dual-agent-silent.wav", 8000),
]

@Suite("callvault transcode on real speech")
struct TranscodeCommandTests {
    @Test("each format becomes a clean Ogg Opus file of the same length", arguments: formats)
    func transcode(name: String, rate: Int) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", Support.fixture(name), out])
        #expect(r.status == 0, "\(r.stderr)")

        let analysis = try Support.json(try Support.callvault(["analyze", Support.fixture(name), "--json"]).stdout) as! [String: Any]
        let inputMs = analysis["duration_ms"] as! Int
        #expect(analysis["sample_rate"] as? Int == rate)

        let info = try Support.opusinfoLength(out)
        #expect(!info.output.contains("WARNING") && !info.output.contains("ERROR"), "\(info.output)")
        #expect(abs(info.seconds * 1000 - Double(inputMs)) <= 20, "opusinfo \(info.seconds) s vs input \(inputMs) ms")
        #expect(info.output.contains("Original sample rate: \(rate) Hz"))

        let probe = try Support.run("ffprobe", ["-v", "warning", out])
        #expect(probe.stderr.isEmpty && probe.status == 0, "ffprobe: \(probe.stderr)")

        let samples = try Support.decodedSamples48k(out, into: dir.appendingPathComponent("d.wav").path)
        #expect(abs(samples - inputMs * 48) <= 960, "decoded \(samples) samples at 48 kHz for \(inputMs) ms")
    }

    @Test("8 kHz input is encoded natively: narrowband SILK, pre-skip 312, about 16 kbit/s")
    func nativeRate() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.opus").path
        try Support.callvault(["transcode", Support.fixture("speech.wav"), out])
        let info = try Support.opusinfoLength(out).output
        #expect(info.contains("Pre-skip: 312"))
        #expect(info.contains("Encoded with callvault"))
        let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as! Int
        let kbps = Double(size * 8) / 24.13 / 1000
        #expect(kbps > 12 && kbps < 20, "\(kbps) kbit/s")
    }

    @Test("a dual-channel recording keeps its sides apart: the silent agent decodes below -60 dBFS")
    func dualChannelSeparation() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", Support.fixture("dual-agent-silent.wav"), out])
        #expect(r.status == 0)
        #expect(try Support.opusinfoLength(out).output.contains("Channels: 2"))
        let caller = try Support.maxVolume(out, channel: 0)
        let agent = try Support.maxVolume(out, channel: 1)
        #expect(caller > -20, "caller side \(caller) dB")
        #expect(agent < -60, "agent side \(agent) dB")
        // Analysis of the archive agrees with analysis of the source.
        let source = try Support.json(try Support.callvault(["analyze", Support.fixture("dual-agent-silent.wav"), "--channels", "caller,agent", "--json"]).stdout) as! [String: Any]
        let archived = try Support.json(try Support.callvault(["analyze", out, "--channels", "caller,agent", "--json"]).stdout) as! [String: Any]
        #expect(source["talk_ms"] as? Int == 0)
        #expect(archived["talk_ms"] as? Int == 0)
        #expect(source["outcome"] as? String == archived["outcome"] as? String)
    }

    @Test("a truncated WAV is transcoded with a warning naming both lengths")
    func truncated() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", Support.fixture("truncated.wav"), out])
        #expect(r.status == 0)
        #expect(r.stdout.contains("truncated: header declares 24.1 s, 6.0 s present"), "\(r.stdout)")
        let a = try Support.json(try Support.callvault(["analyze", Support.fixture("truncated.wav"), "--json"]).stdout) as! [String: Any]
        #expect((a["warnings"] as? [String])?.first?.hasPrefix("truncated: header declares") == true)
        #expect(abs(try Support.opusinfoLength(out).seconds - 6.0) < 0.05)
    }

    @Test("bad input: exit 2, one line naming the file and the reason, no output left behind",
          arguments: [("empty.wav", "empty file"), ("random.wav", "not a recognised audio file (libsndfile:"),
                      ("header-only.wav", "libsndfile"), ("missing.wav", "No such file")])
    func badInput(name: String, reason: String) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", Support.fixture(name), out])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(name) && r.stderr.contains(reason), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("analyze finds the 5 s of silence placed between two prompts")
    func analyseKnownSilence() throws {
        let a = try Support.json(try Support.callvault(["analyze", Support.fixture("speech.wav"), "--json"]).stdout) as! [String: Any]
        let silences = a["silences"] as! [[String: Int]]
        #expect(silences.count == 1)
        // The inserted silence spans 16.18–21.18 s; the prompt's own tail adds a little before it.
        #expect(silences[0]["start_ms"]! >= 15500 && silences[0]["start_ms"]! <= 16200)
        #expect(silences[0]["end_ms"]! >= 21180 && silences[0]["end_ms"]! <= 21500)
        #expect(a["outcome"] as? String == "answered")
        #expect(a["duration_ms"] as? Int == 24131)
        #expect(a["longest_silence_ms"] as? Int == silences[0]["end_ms"]! - silences[0]["start_ms"]!)
    }
}
