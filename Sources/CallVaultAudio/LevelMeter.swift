import CallVaultCore
import Foundation

/// Streams interleaved samples through fixed-length RMS frames per channel and records the raw
/// runs of active frames (RMS at or above the threshold), in constant memory per run.
///
/// A frame's level is the lower of its RMS as decoded and after a high-pass at ``highPassHz``
/// (see ``HighPassFilter``), so DC offset and mains hum are not counted as talk, speech keeps its
/// level, and the filter can only take activity away, never add it.
///
/// The finished runs go to ``ActivityTimeline/analyse(rawRuns:roles:durationMs:sampleRate:format:warnings:settings:)``.
public struct LevelMeter {
    public let sampleRate: Int
    public let channels: Int
    private let frameSamples: Int
    private let thresholdPower: Double
    private var highPass: HighPassFilter?
    private var sumSquares: [Double]
    /// The same after the high-pass (unused without it).
    private var filteredSumSquares: [Double]
    private var filled = 0
    private var frameStart = 0
    private var runStart: [Int?]
    public private(set) var runs: [[Interval]]
    public private(set) var totalFrames = 0

    /// The cut-off of the high-pass before the level is measured.
    public static let highPassHz = 100.0

    /// `removeLowFrequencies: false` measures the decoded samples as they are (tests compare both).
    public init(sampleRate: Int, channels: Int, settings: AnalysisSettings, removeLowFrequencies: Bool = true) {
        self.sampleRate = sampleRate
        highPass = removeLowFrequencies
            ? HighPassFilter(sampleRate: sampleRate, cutoffHz: Self.highPassHz, channels: channels) : nil
        self.channels = channels
        frameSamples = max(1, sampleRate * settings.frameMs / 1000)
        thresholdPower = pow(10, settings.activeThresholdDbfs / 10)
        sumSquares = [Double](repeating: 0, count: channels)
        filteredSumSquares = sumSquares
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
                let start = samples.baseAddress! + i * channels + c
                if highPass != nil {
                    var filtered: Float = 0
                    highPass!.filter(start, count: take, stride: channels, channel: c) { x, y in
                        acc += x * x
                        filtered += y * y
                    }
                    filteredSumSquares[c] += Double(filtered)
                } else {
                    var p = start
                    for _ in 0..<take {
                        acc += p.pointee * p.pointee
                        p += channels
                    }
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
            // The lower of the two: the high-pass removes DC and hum, and its ringing after an abrupt
            // stop cannot make a frame active that was silent as decoded.
            let power = highPass == nil ? sumSquares[c] : min(sumSquares[c], filteredSumSquares[c])
            let active = power / Double(filled) >= thresholdPower
            if active {
                if runStart[c] == nil { runStart[c] = frameStart }
            } else {
                endRun(channel: c, at: frameStart)
            }
            sumSquares[c] = 0
            filteredSumSquares[c] = 0
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
