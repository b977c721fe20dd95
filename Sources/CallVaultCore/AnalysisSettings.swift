/// Thresholds of the audio analyser and the outcome rule.
///
/// Defaults: 20 ms frames; a frame is active at -40 dBFS RMS or louder; gaps under 300 ms are
/// bridged and segments under 100 ms dropped; silences are reported from 2000 ms; a call is
/// answered with 3000 ms of talk on the answering side, else missed when it lasted 30000 ms.
public struct AnalysisSettings: Sendable, Hashable, Codable {
    public var frameMs: Int = 20
    public var activeThresholdDbfs: Double = -40
    public var bridgeGapMs: Int = 300
    public var minSegmentMs: Int = 100
    public var minSilenceMs: Int = 2000
    public var answeredTalkMs: Int = 3000
    public var missedMinDurationMs: Int = 30000

    public init() {}

    /// Checks that every threshold makes sense; returns a sentence per problem.
    public func problems() -> [String] {
        var out: [String] = []
        if frameMs < 5 || frameMs > 100 { out.append("frame_ms must be between 5 and 100 (got \(frameMs))") }
        if activeThresholdDbfs >= 0 || activeThresholdDbfs < -120 {
            out.append("active_threshold_dbfs must be below 0 and at least -120 (got \(activeThresholdDbfs))")
        }
        for (name, value) in [("bridge_gap_ms", bridgeGapMs), ("min_segment_ms", minSegmentMs),
                              ("min_silence_ms", minSilenceMs), ("answered_talk_ms", answeredTalkMs),
                              ("missed_min_duration_ms", missedMinDurationMs)] where value < 0 {
            out.append("\(name) must not be negative (got \(value))")
        }
        return out
    }
}
