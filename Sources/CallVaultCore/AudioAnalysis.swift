/// What the analyser measured in one recording.
///
/// Encoded as the `analyze --json` object: snake_case keys, times in integer milliseconds.
public struct AudioAnalysis: Sendable, Hashable, Codable {
    public struct Channel: Sendable, Hashable, Codable {
        public var index: Int
        public var role: String?
        public var activity: [Interval]
        public var activeMs: Int

        public init(index: Int, role: String?, activity: [Interval]) {
            self.index = index
            self.role = role
            self.activity = activity
            self.activeMs = activity.reduce(0) { $0 + $1.lengthMs }
        }

        enum CodingKeys: String, CodingKey {
            case index = "channel"
            case role, activity
            case activeMs = "active_ms"
        }
    }

    public var durationMs: Int
    public var sampleRate: Int
    public var channels: Int
    public var format: String
    public var talkMs: Int
    /// Activity of the answering side, the segments `talkMs` adds up.
    public var activity: [Interval]
    public var outcome: Outcome
    public var silences: [Interval]
    public var longestSilenceMs: Int
    public var leadingSilenceMs: Int
    public var warnings: [String]
    public var channelActivity: [Channel]
    /// Stretches silenced in the archive (DTMF key presses with their guard, spans the sidecar asked
    /// for), ordered by start; `[]` when none.
    public var redactions: [Redaction] = []
    /// Key presses detected, each counted once however many channels heard it or spans merged.
    public var dtmfTonesMasked = 0

    public init(durationMs: Int, sampleRate: Int, channels: Int, format: String, talkMs: Int,
                activity: [Interval], outcome: Outcome, silences: [Interval], longestSilenceMs: Int, leadingSilenceMs: Int,
                warnings: [String], channelActivity: [Channel]) {
        self.durationMs = durationMs
        self.sampleRate = sampleRate
        self.channels = channels
        self.format = format
        self.talkMs = talkMs
        self.activity = activity
        self.outcome = outcome
        self.silences = silences
        self.longestSilenceMs = longestSilenceMs
        self.leadingSilenceMs = leadingSilenceMs
        self.warnings = warnings
        self.channelActivity = channelActivity
    }

    enum CodingKeys: String, CodingKey {
        case durationMs = "duration_ms"
        case sampleRate = "sample_rate"
        case channels, format
        case talkMs = "talk_ms"
        case activity, outcome, silences
        case longestSilenceMs = "longest_silence_ms"
        case leadingSilenceMs = "leading_silence_ms"
        case warnings
        case channelActivity = "per_channel"
        case redactions
        case dtmfTonesMasked = "dtmf_tones_masked"
    }
}
