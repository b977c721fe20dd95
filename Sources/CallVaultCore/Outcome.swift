/// What happened to a call, decided from its audio.
///
/// - `answered`: someone on the answering side talked for at least `answeredTalkMs`.
/// - `missed`: nobody answered and the recording lasted at least `missedMinDurationMs` (it rang out).
/// - `abandoned`: nobody answered and the caller gave up sooner.
public enum Outcome: String, Sendable, Codable, CaseIterable {
    case answered
    case missed
    case abandoned

    /// Applies the outcome rule of ``AnalysisSettings`` to measured figures.
    public static func decide(talkMs: Int, durationMs: Int, settings: AnalysisSettings) -> Outcome {
        if talkMs >= settings.answeredTalkMs { return .answered }
        if durationMs >= settings.missedMinDurationMs { return .missed }
        return .abandoned
    }
}
