import ArgumentParser
import CallVaultAudio
import CallVaultCore
import CallVaultSettings
import Foundation

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure a recording's talk, silences and outcome without writing anything.",
        discussion: """
        \(d.frameMs) ms frames per channel are active at \(helpNumber(d.activeThresholdDbfs)) dBFS RMS or louder, both as decoded and after \
        a 100 Hz high-pass (DC offset and mains hum are not talk); gaps under \(d.bridgeGapMs) ms are \
        bridged, segments under \(d.minSegmentMs) ms dropped. Silences are stretches of at least \(seconds(d.minSilenceMs)) s where no \
        channel is active. talk_ms counts the answering side: the only channel of a mono file, \
        the channel labelled agent, or all channels together. The outcome is answered at \(seconds(d.answeredTalkMs)) s \
        of talk, else missed when the recording lasts \(seconds(d.missedMinDurationMs)) s (it rang out), else abandoned.

        DTMF key presses are found on every channel (Goertzel bins, ITU-T Q.24 rules) and \
        reported as redactions (time spans with a \(TranscodeOptions.dtmfGuardMs) ms guard, never the keys) with \
        dtmf_tones_masked, the number of presses; the archive has them silenced.

        Example:
          callvault analyze call.wav --channels caller,agent --json
        """)

    /// The thresholds the discussion describes: the defaults.
    private static let d = Settings.Defaults.analysis
    private static func seconds(_ ms: Int) -> String { helpNumber(Double(ms) / 1000) }

    @Argument(help: "The recording to read.")
    var input: String

    @Option(help: "Roles of the channels, comma-separated (e.g. caller,agent).")
    var channels: String?

    @Flag(help: "Print the analysis as one JSON object (snake_case, times in ms).")
    var json = false

    @Option(help: "TOML config file: its [analysis] thresholds and [pci] mask_dtmf apply, as in `callvault run`.")
    var config: String?

    func run() throws {
        var options = TranscodeOptions(settings: Settings(config: try loadConfigFile(config)))
        options.roles = channels.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let result: TranscodeResult
        do {
            result = try Transcoder.run(input: input, output: nil, options: options)
        } catch let error as AudioError {
            throw CLIError.input("\(input): \(error.message)")
        }
        let a = result.analysis
        if let problem = ChannelRoles.mismatch(options.roles, channels: a.channels) {
            throw CLIError.input("\(input): \(problem)")
        }
        if json {
            print(try JSONOutput.string(AnalysisJSON(a)))
            return
        }
        print("\(input): \(a.outcome.rawValue)")
        print(String(format: "  duration %.2f s, %d Hz, %d channel(s), %@", Double(a.durationMs) / 1000, a.sampleRate, a.channels, a.format))
        print(String(format: "  talk %.2f s, leading silence %.2f s, longest silence %.2f s", Double(a.talkMs) / 1000,
                     Double(a.leadingSilenceMs) / 1000, Double(a.longestSilenceMs) / 1000))
        for s in a.silences {
            print(String(format: "  silence %.2f–%.2f s", Double(s.startMs) / 1000, Double(s.endMs) / 1000))
        }
        for c in a.channelActivity {
            print(String(format: "  channel %d%@: active %.2f s in %d segment(s)", c.index, c.role.map { " (\($0))" } ?? "",
                         Double(c.activeMs) / 1000, c.activity.count))
        }
        if a.dtmfTonesMasked > 0 {
            print("  dtmf: \(a.dtmfTonesMasked) key press(es), \(a.redactions.count) span(s) silenced in the archive")
        }
        for r in a.redactions {
            print(String(format: "  redacted %.2f–%.2f s (%@, %@)", Double(r.startMs) / 1000, Double(r.endMs) / 1000,
                         r.channel.map { "channel \($0)" } ?? "every channel", r.reason))
        }
        for w in a.warnings { print("  warning: \(w)") }
    }
}

/// The `analyze --json` object: the analysis plus `active_ms`, the total of `activity`.
struct AnalysisJSON: Encodable {
    let analysis: AudioAnalysis
    init(_ analysis: AudioAnalysis) { self.analysis = analysis }

    enum CodingKeys: String, CodingKey { case active_ms }

    func encode(to encoder: Encoder) throws {
        try analysis.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ActivityTimeline.totalMs(analysis.activity), forKey: .active_ms)
    }
}
