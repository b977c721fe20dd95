import ArgumentParser
import CallVaultAudio
import CallVaultCore
import CallVaultFiles
import CallVaultSettings
import Foundation

struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcode",
        abstract: "Transcode one recording to Ogg Opus at its native rate.",
        discussion: """
        Reads anything libsndfile opens by its header (WAV with PCM, mu-law, A-law, GSM 6.10 or \
        IMA ADPCM; AIFF; AU; FLAC; Ogg Vorbis; MP3) and the headerless telephony formats chosen \
        by extension: .ulaw .alaw .gsm .sln (8 kHz) and .sln16 (16 kHz). A file with such an \
        extension that starts with a real header (a WAV named .ulaw) is read by its header, \
        with a warning; one whose header libsndfile cannot read is refused.

        Rates Opus supports (8, 12, 16, 24, 48 kHz) are encoded as they are; others are \
        resampled with libsoxr to the next Opus rate above. Each channel is its own stream, \
        so a caller/agent recording stays separable, and channels keep their order (mapping \
        family 255 from three channels; Debian 12's opusdec cannot open those, ffmpeg can). \
        The output appears only when complete.

        Example:
          callvault transcode 1700000000.42.wav call.opus --bitrate 16000 --complexity 5
        """)

    @Argument(help: "The recording to read.")
    var input: String

    @Argument(help: "The Ogg Opus file to write (replaced atomically).")
    var output: String

    @Option(help: "TOML config file: its [encoder], [analysis] and [pci] apply, as in `callvault run`; flags override it.")
    var config: String?

    @Option(help: "Bits per second per channel (default: the config's, else \(Settings.Defaults.bitrate(opusRate: 8000)) at 8 kHz, \(Settings.Defaults.bitrate(opusRate: 16000)) at 16 kHz, \(Settings.Defaults.bitrate(opusRate: 48000)) above).")
    var bitrate: Int?

    @Option(help: "libopus complexity \(Settings.Defaults.complexityRange.lowerBound)-\(Settings.Defaults.complexityRange.upperBound): lower is faster, higher sounds slightly better (default: the config's, else \(Settings.Defaults.complexity)).")
    var complexity: Int?

    @Option(help: "Roles of the channels, comma-separated (e.g. caller,agent), used for talk time.")
    var channels: String?

    @Flag(inversion: .prefixedNo, help: "Silence DTMF key presses (+ \(TranscodeOptions.dtmfGuardMs) ms each side, every channel) in the output (default: the config's [pci] mask_dtmf, else \(Settings.Defaults.maskDTMF ? "on" : "off")).")
    var maskDtmf: Bool?

    func validate() throws {
        let bitrates = Settings.Defaults.bitrateRange, complexities = Settings.Defaults.complexityRange
        if let bitrate, !bitrates.contains(bitrate) {
            throw ValidationError("--bitrate must be between \(bitrates.lowerBound) and \(bitrates.upperBound) bit/s per channel")
        }
        if let complexity, !complexities.contains(complexity) {
            throw ValidationError("--complexity must be between \(complexities.lowerBound) and \(complexities.upperBound)")
        }
    }

    func run() throws {
        var options = TranscodeOptions(settings: Settings(config: try loadConfigFile(config)))
        if let bitrate { options.bitratePerChannel = bitrate }
        if let complexity { options.complexity = complexity }
        if let maskDtmf { options.maskDTMF = maskDtmf }
        options.roles = channels.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        do {
            let out = try AtomicFile(path: output, mode: 0o640)
            let result = try Transcoder.run(input: input, output: out, options: options)
            if let problem = ChannelRoles.mismatch(options.roles, channels: result.analysis.channels) {
                throw CLIError.input("\(input): \(problem)")  // the temporary output is discarded
            }
            let sha = try out.finish()
            let a = result.analysis
            var line = String(format: "%@: %.1f s, %d Hz, %d ch (%@) -> %@: %d bytes, %d Hz Opus, sha256 %@",
                              input, Double(a.durationMs) / 1000, a.sampleRate, a.channels, a.format,
                              output, result.outputBytes, result.encodedSampleRate, String(sha.prefix(16)))
            if a.dtmfTonesMasked > 0 { line += "\ndtmf: \(a.dtmfTonesMasked) key press(es) silenced in \(a.redactions.count) span(s)" }
            for w in a.warnings { line += "\nwarning: \(w)" }
            print(line)
        } catch let error as AudioError {
            throw CLIError.input("\(input): \(error.message)")
        } catch let error as FileSystemError {
            throw CLIError.fatal(error.description)
        }
    }
}
