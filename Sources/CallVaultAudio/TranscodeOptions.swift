import CallVaultCore
import CallVaultSettings

/// How the one-pass pipeline encodes and analyses.
///
/// The encoder, analysis and DTMF defaults are ``Settings/Defaults``; a command builds its options
/// from its ``Settings`` with ``init(settings:)``, so every command encodes and analyses alike.
public struct TranscodeOptions: Sendable {
    /// Bits per second per channel; nil picks ``Settings/Defaults/bitrate(opusRate:)`` for the rate encoded.
    public var bitratePerChannel: Int?
    /// libopus complexity, 0 (fastest) to 10.
    public var complexity: Int = Settings.Defaults.complexity
    public var analysis = Settings.Defaults.analysis
    /// Roles per channel, e.g. `["caller", "agent"]`; decide which side counts as talk.
    public var roles: [String]?
    /// Extra `KEY=value` comments for the OpusTags header.
    public var comments: [String] = []
    /// Frames decoded per block: the pipeline's only buffer that scales with a setting.
    public var blockFrames = 4096
    /// `[pci] mask_dtmf`: detect DTMF key presses and silence them (plus ``dtmfGuardMs`` each side)
    /// on every channel before encoding.
    public var maskDTMF = Settings.Defaults.maskDTMF
    public static let dtmfGuardMs = 40
    /// Stretches (ms) to silence on every channel whatever the detector finds, with no guard: the
    /// sidecar's `redact` (reason `requested`). Clamped to the recording; masked even with `maskDTMF` off.
    public var redact: [Interval] = []
    /// The Ogg stream serial number; random unless given.
    public var serial: Int32?

    public init() {}

    /// The encoder (`[encoder]`), thresholds (`[analysis]`) and DTMF masking (`[pci]`) of `settings`.
    public init(settings: Settings) {
        bitratePerChannel = settings.encoder.bitratePerChannel
        complexity = settings.encoder.complexity
        analysis = settings.analysis
        maskDTMF = settings.maskDTMF
    }

    /// The bitrate used when none is set: ``Settings/Defaults/bitrate(opusRate:)``.
    public static func defaultBitrate(opusRate: Int) -> Int { Settings.Defaults.bitrate(opusRate: opusRate) }
}
