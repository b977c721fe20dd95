@testable import CallVaultAudio
import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

/// Synthesises `seconds` of a 440 Hz tone at `dbfs` (RMS), or silence when nil.
private func tone(_ seconds: Double, dbfs: Double?, rate: Int = 8000) -> [Float] {
    let n = Int(seconds * Double(rate))
    guard let dbfs else { return [Float](repeating: 0, count: n) }
    let amplitude = pow(10, dbfs / 20) * sqrt(2)
    return (0..<n).map { Float(amplitude * sin(2 * .pi * 440 * Double($0) / Double(rate))) }
}

@Suite("Level meter on constructed signals")
struct LevelMeterTests {
    @Test("a tone with a 3 s hole gives two segments and one inner silence")
    func knownSilence() {
        let signal = tone(2, dbfs: -20) + tone(3, dbfs: nil) + tone(1.5, dbfs: -20)
        var meter = LevelMeter(sampleRate: 8000, channels: 1, settings: Settings.Defaults.analysis)
        // Feed in odd-sized blocks to exercise frames that straddle blocks.
        var offset = 0
        while offset < signal.count {
            let end = min(offset + 1234, signal.count)
            signal[offset..<end].withUnsafeBufferPointer { meter.consume($0) }
            offset = end
        }
        let runs = meter.finish()
        #expect(runs == [[Interval(startMs: 0, endMs: 2000), Interval(startMs: 5000, endMs: 6500)]])
        let a = ActivityTimeline.analyse(rawRuns: runs, roles: nil, durationMs: 6500, sampleRate: 8000, format: "t",
                                         warnings: [], settings: Settings.Defaults.analysis)
        #expect(a.silences == [Interval(startMs: 2000, endMs: 5000)])
        #expect(a.talkMs == 3500)
        #expect(a.outcome == .answered)
    }

    @Test("the -40 dBFS threshold: -39 dBFS is active, -41 dBFS is not", arguments: [(-39.0, true), (-41.0, false)])
    func threshold(level: Double, active: Bool) {
        var meter = LevelMeter(sampleRate: 8000, channels: 1, settings: Settings.Defaults.analysis)
        tone(1, dbfs: level).withUnsafeBufferPointer { meter.consume($0) }
        #expect(meter.finish()[0].isEmpty == !active)
    }

    @Test("interleaved channels are metered apart")
    func channelsApart() {
        let left = tone(1, dbfs: -20)
        var stereo = [Float](repeating: 0, count: left.count * 2)
        for i in left.indices { stereo[2 * i] = left[i] }
        var meter = LevelMeter(sampleRate: 8000, channels: 2, settings: Settings.Defaults.analysis)
        stereo.withUnsafeBufferPointer { meter.consume($0) }
        let runs = meter.finish()
        #expect(runs[0] == [Interval(startMs: 0, endMs: 1000)])
        #expect(runs[1].isEmpty)
    }
}
