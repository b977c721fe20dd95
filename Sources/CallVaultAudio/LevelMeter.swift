import CallVaultCore
import Foundation

/// Streams interleaved samples through fixed-length RMS frames per channel and records the raw
/// runs of active frames (RMS at or above the threshold), in constant memory per run.
///
/// The finished runs go to ``ActivityTimeline/analyse(rawRuns:roles:durationMs:sampleRate:format:warnings:settings:)``.
public struct LevelMeter {
    public let sampleRate: Int
    public let channels: Int
    private let frameSamples: Int
    private let thresholdPower: Double
    private var sumSquares: [Double]
    private var filled = 0
    private var frameStart = 0
    private var runStart: [Int?]
    public private(set) var runs: [[Interval]]
    public private(set) var totalFrames = 0

    public init(sampleRate: Int, channels: Int, settings: AnalysisSettings) {
        self.sampleRate = sampleRate
        self.channels = channels
        frameSamples = max(1, sampleRate * settings.frameMs / 1000)
        thresholdPower = pow(10, settings.activeThresholdDbfs / 10)
        sumSquares = [Double](repeating: 0, count: channels)
        runStart = [Int?](repeating: nil, count: channels)
        runs = [[Interval]](repeating: [], count: channels)
    }

    public mutating func consume(_ samples: UnsafeBufferPointer<Float>) {
        let frames = samples.count / channels
        var i = 0
        while i < frames {
            let take = min(frameSamples - filled, frames - i)
            for c in 0..<channels {
                var acc: Float = 0
                var idx = i * channels + c
                for _ in 0..<take {
                    let s = samples[idx]
                    acc += s * s
                    idx += channels
                }
                sumSquares[c] += Double(acc)
            }
            filled += take
            i += take
            if filled == frameSamples { closeFrame() }
        }
        totalFrames += frames
    }

    /// Closes a partial last frame and any open run; returns the runs per channel.
    public mutating func finish() -> [[Interval]] {
        if filled > 0 { closeFrame() }
        for c in 0..<channels { endRun(channel: c, at: frameStart) }
        return runs
    }

    private mutating func closeFrame() {
        let end = frameStart + filled
        for c in 0..<channels {
            let active = sumSquares[c] / Double(filled) >= thresholdPower
            if active {
                if runStart[c] == nil { runStart[c] = frameStart }
            } else {
                endRun(channel: c, at: frameStart)
            }
            sumSquares[c] = 0
        }
        frameStart = end
        filled = 0
    }

    private mutating func endRun(channel c: Int, at sample: Int) {
        guard let start = runStart[c] else { return }
        runs[c].append(Interval(startMs: ms(start), endMs: ms(sample)))
        runStart[c] = nil
    }

    private func ms(_ sample: Int) -> Int { Int((Int64(sample) * 1000) / Int64(sampleRate)) }
}
