/// Thresholds of the audio analyser and the outcome rule.
///
/// A pure value: the shipped defaults are `Settings.Defaults.analysis` (CallVaultSettings), and a
/// config's `[analysis]` table overrides them key by key.
public struct AnalysisSettings: Sendable, Hashable, Codable {
    /// Length of one level frame.
    public var frameMs: Int
    /// A frame at this RMS level or louder is active.
    public var activeThresholdDbfs: Double
    /// Gaps between active stretches shorter than this are bridged.
    public var bridgeGapMs: Int
    /// Active stretches shorter than this (after bridging) are dropped.
    public var minSegmentMs: Int
    /// Silences are reported from this length.
    public var minSilenceMs: Int
    /// A call is answered with this much talk on the answering side…
    public var answeredTalkMs: Int
    /// …else missed when it lasted this long (it rang out), else abandoned.
    public var missedMinDurationMs: Int

    public init(frameMs: Int, activeThresholdDbfs: Double, bridgeGapMs: Int, minSegmentMs: Int, minSilenceMs: Int,
                answeredTalkMs: Int, missedMinDurationMs: Int) {
        self.frameMs = frameMs
        self.activeThresholdDbfs = activeThresholdDbfs
        self.bridgeGapMs = bridgeGapMs
        self.minSegmentMs = minSegmentMs
        self.minSilenceMs = minSilenceMs
        self.answeredTalkMs = answeredTalkMs
        self.missedMinDurationMs = missedMinDurationMs
    }

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
