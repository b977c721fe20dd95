/// Pure interval arithmetic behind the analyser: cleaning activity runs and finding silences.
///
/// Kept apart from the audio code so the rules can be tested on constructed timelines.
public enum ActivityTimeline {
    /// Bridges gaps shorter than `bridgeGapMs`, then drops segments shorter than `minSegmentMs`.
    ///
    /// ```swift
    /// ActivityTimeline.clean([.init(startMs: 0, endMs: 500), .init(startMs: 600, endMs: 700)],
    ///                        bridgeGapMs: 300, minSegmentMs: 100) // [0, 700)
    /// ```
    public static func clean(_ runs: [Interval], bridgeGapMs: Int, minSegmentMs: Int) -> [Interval] {
        var bridged: [Interval] = []
        for run in runs.sorted(by: { $0.startMs < $1.startMs }) {
            if var last = bridged.last, run.startMs - last.endMs < bridgeGapMs {
                last.endMs = max(last.endMs, run.endMs)
                bridged[bridged.count - 1] = last
            } else {
                bridged.append(run)
            }
        }
        return bridged.filter { $0.lengthMs >= minSegmentMs }
    }

    /// Maximal intervals of `[0, durationMs)` covered by no segment of any channel, at least `minSilenceMs` long.
    public static func silences(channels: [[Interval]], durationMs: Int, minSilenceMs: Int) -> [Interval] {
        let union = self.union(channels)
        var gaps: [Interval] = []
        var cursor = 0
        for segment in union {
            if segment.startMs > cursor { gaps.append(Interval(startMs: cursor, endMs: segment.startMs)) }
            cursor = max(cursor, segment.endMs)
        }
        if durationMs > cursor { gaps.append(Interval(startMs: cursor, endMs: durationMs)) }
        return gaps.filter { $0.lengthMs >= minSilenceMs && $0.lengthMs > 0 }
    }

    /// The union of several channels' segments, sorted and merged where they touch or overlap.
    public static func union(_ channels: [[Interval]]) -> [Interval] {
        var merged: [Interval] = []
        for segment in channels.flatMap({ $0 }).sorted(by: { $0.startMs < $1.startMs }) {
            if var last = merged.last, segment.startMs <= last.endMs {
                last.endMs = max(last.endMs, segment.endMs)
                merged[merged.count - 1] = last
            } else {
                merged.append(segment)
            }
        }
        return merged
    }

    /// Total length of a sorted, non-overlapping list.
    public static func totalMs(_ segments: [Interval]) -> Int {
        segments.reduce(0) { $0 + $1.lengthMs }
    }

    /// Builds the finished analysis from per-channel raw activity runs.
    ///
    /// `talk_ms` counts the answering side: the one channel of a mono file, the channel whose role
    /// is `agent` when roles are given, else the union of all channels.
    public static func analyse(rawRuns: [[Interval]], roles: [String]?, durationMs: Int, sampleRate: Int,
                               format: String, warnings: [String], settings: AnalysisSettings) -> AudioAnalysis {
        let cleaned = rawRuns.map { clean($0, bridgeGapMs: settings.bridgeGapMs, minSegmentMs: settings.minSegmentMs) }
        let silences = silences(channels: cleaned, durationMs: durationMs, minSilenceMs: settings.minSilenceMs)
        let channels = cleaned.enumerated().map { index, activity in
            AudioAnalysis.Channel(index: index, role: roles.flatMap { index < $0.count ? $0[index] : nil }, activity: activity)
        }
        let answering: [Interval]
        if cleaned.count == 1 {
            answering = cleaned[0]
        } else if let agent = roles?.firstIndex(where: { $0.lowercased() == "agent" }), agent < cleaned.count {
            answering = cleaned[agent]
        } else {
            answering = union(cleaned)
        }
        let talkMs = totalMs(answering)
        let leading = union(cleaned).first?.startMs ?? durationMs
        return AudioAnalysis(
            durationMs: durationMs, sampleRate: sampleRate, channels: rawRuns.count, format: format,
            talkMs: talkMs, activity: answering,
            outcome: Outcome.decide(talkMs: talkMs, durationMs: durationMs, settings: settings),
            silences: silences,
            longestSilenceMs: silences.map(\.lengthMs).max() ?? 0,
            leadingSilenceMs: leading,
            warnings: warnings + ChannelRoles.warnings(roles),
            channelActivity: channels)
    }
}
