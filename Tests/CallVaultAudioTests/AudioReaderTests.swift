@testable import CallVaultAudio
import Testing

@Suite("Audio reader")
struct AudioReaderTests {
    @Test("a truncated WAV's declared length comes from libsndfile's log")
    func declaredFromLog() {
        let log = "RIFF : 258916 (should be 59992)\nWAVE\ndata : 258880 (should be 59956)\nEnd\n"
        #expect(AudioReader.declaredFrames(frames: 29978, log: log) == 129440)
        #expect(AudioReader.declaredFrames(frames: 500, log: "data : 1000\n") == 500)
    }

    @Test("headerless formats are chosen by extension", arguments: [("a.ulaw", 8000), ("a.sln16", 16000), ("a.gsm", 8000)])
    func raw(path: String, rate: Int) {
        #expect(RawFormat(path: path)?.sampleRate == rate)
    }

    @Test("Opus rates are used as they are; others go to the next Opus rate above",
          arguments: [(8000, 8000), (11025, 12000), (22050, 24000), (32000, 48000), (44100, 48000), (96000, 48000)])
    func opusRate(input: Int, expected: Int) {
        #expect(Resampler.opusRate(for: input) == expected)
    }
}
