@testable import CallVaultAudio
import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

/// `seconds` of a sine at `hz` (0 for DC) whose RMS is `dbfs` (a DC level's RMS is its value).
private func signal(_ seconds: Double, hz: Double, dbfs: Double, rate: Int = 8000) -> [Float] {
    let n = Int(seconds * Double(rate))
    let rms = pow(10, dbfs / 20)
    if hz == 0 { return [Float](repeating: Float(rms), count: n) }
    return (0..<n).map { Float(rms * sqrt(2) * sin(2 * .pi * hz * Double($0) / Double(rate))) }
}

private func analyse(_ samples: [Float], rate: Int = 8000, removeLowFrequencies: Bool = true) -> AudioAnalysis {
    var meter = LevelMeter(sampleRate: rate, channels: 1, settings: Settings.Defaults.analysis, removeLowFrequencies: removeLowFrequencies)
    var offset = 0
    while offset < samples.count {
        let end = min(offset + 4096, samples.count)
        samples[offset..<end].withUnsafeBufferPointer { meter.consume($0) }
        offset = end
    }
    return ActivityTimeline.analyse(rawRuns: meter.finish(), roles: nil, durationMs: samples.count * 1000 / rate,
                                    sampleRate: rate, format: "test", warnings: [], settings: Settings.Defaults.analysis)
}

/// Every boundary of `a` within `toleranceMs` of the same boundary of `b`, and as many segments.
private func sameActivity(_ a: [Interval], _ b: [Interval], toleranceMs: Int) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0.startMs - $1.startMs) <= toleranceMs && abs($0.endMs - $1.endMs) <= toleranceMs }
}

@Suite("DC offset and mains hum are not talk")
struct LowFrequencyTests {
    @Test("40 s of DC at -30 dBFS, 50 Hz or 60 Hz hum at -35 dBFS: no talk, one silence over the whole call",
          arguments: [(0.0, -30.0), (50.0, -35.0), (60.0, -35.0)])
    func lowFrequencyAlone(hz: Double, dbfs: Double) {
        let samples = signal(40, hz: hz, dbfs: dbfs)
        let a = analyse(samples)
        #expect(a.talkMs == 0)
        #expect(a.outcome == .missed)
        #expect(a.silences == [Interval(startMs: 0, endMs: 40000)])
        // Measured as decoded (the first wave's meter) the same signal is 40 s of talk.
        #expect(analyse(samples, removeLowFrequencies: false).talkMs == 40000)
    }

    @Test("real speech: the same activity with and without the high-pass, within a frame",
          arguments: ["speech.wav", "speech-16k.wav", "speech-44100.wav", "missed.wav", "abandoned.wav", "speech.gsm"])
    func speechUnchanged(name: String) throws {
        let (samples, rate, _) = try FixtureAudio.samples(name)
        let filtered = analyse(samples, rate: rate)
        let plain = analyse(samples, rate: rate, removeLowFrequencies: false)
        #expect(sameActivity(filtered.activity, plain.activity, toleranceMs: 20), "\(filtered.activity) vs \(plain.activity)")
        #expect(sameActivity(filtered.silences, plain.silences, toleranceMs: 20), "\(filtered.silences) vs \(plain.silences)")
        #expect(filtered.outcome == plain.outcome)
        #expect(abs(filtered.talkMs - plain.talkMs) <= 40)
    }

    @Test("speech over DC and hum keeps its activity; where only DC or hum remains is silence",
          arguments: [(0.0, -30.0), (50.0, -35.0), (60.0, -35.0)])
    func speechOverLowFrequency(hz: Double, dbfs: Double) throws {
        let speech = try FixtureAudio.samples("speech.wav").samples   // 24.13 s, 5 s of silence at 16.18 s
        let clean = analyse(speech + [Float](repeating: 0, count: 16 * 8000))
        var mixed = signal(Double(speech.count) / 8000 + 16, hz: hz, dbfs: dbfs)
        for i in speech.indices { mixed[i] += speech[i] }
        let a = analyse(mixed)
        #expect(sameActivity(a.activity, clean.activity, toleranceMs: 40), "\(a.activity) vs \(clean.activity)")
        #expect(a.silences.count == 2, "\(a.silences)")
        #expect(sameActivity(a.silences, clean.silences, toleranceMs: 40), "\(a.silences) vs \(clean.silences)")
        #expect(a.silences.last?.endMs == a.durationMs)
        #expect(a.outcome == .answered)
    }

    @Test("3 s of speech then 37 s of DC at -30 dBFS: a trailing silence of about 37 s")
    func speechThenDC() throws {
        let speech = try FixtureAudio.samples("speech.wav").samples
        let dc = Float(pow(10, -30.0 / 20))
        let samples = speech[0..<3 * 8000].map { $0 + dc } + [Float](repeating: dc, count: 37 * 8000)
        let a = analyse(samples)
        let trailing = try #require(a.silences.last)
        #expect(trailing.endMs == 40000)
        #expect(trailing.startMs <= 3100, "\(a.silences)")
        #expect(analyse(samples, removeLowFrequencies: false).silences.isEmpty)
    }
}
