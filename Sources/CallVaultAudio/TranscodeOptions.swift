import CallVaultCore

/// How the one-pass pipeline encodes and analyses.
///
/// Defaults were chosen by measurement (see README, "Encoder defaults"): for 8 kHz telephony,
/// 16 kbit/s per channel at complexity 5 scored PESQ 4.53 against the source, above G.711's 4.36,
/// at a fifth of the CPU time of `opusenc`.
public struct TranscodeOptions: Sendable {
    /// Bits per second per channel; nil picks ``defaultBitrate(opusRate:)``.
    public var bitratePerChannel: Int?
    /// libopus complexity, 0 (fastest) to 10.
    public var complexity: Int = 5
    public var analysis = AnalysisSettings()
    /// Roles per channel, e.g. `["caller", "agent"]`; decide which side counts as talk.
    public var roles: [String]?
    /// Extra `KEY=value` comments for the OpusTags header.
    public var comments: [String] = []
    /// Frames decoded per block: the pipeline's only buffer that scales with a setting.
    public var blockFrames = 4096
    /// `[pci] mask_dtmf`: detect DTMF key presses and silence them (plus ``dtmfGuardMs`` each side)
    /// on every channel before encoding.
    public var maskDTMF = true
    public static let dtmfGuardMs = 40
    /// The Ogg stream serial number; random unless given.
    public var serial: Int32?

    public init() {}

    /// 16 kbit/s for narrowband, 20 for 12 kHz, 24 for wideband, 32 above.
    public static func defaultBitrate(opusRate: Int) -> Int {
        switch opusRate {
        case ...8000: 16000
        case ...12000: 20000
        case ...16000: 24000
        default: 32000
        }
    }

    public static let bitrateRange = 6000...256_000
    public static let complexityRange = 0...10
}
