import CallVaultCore

/// What one pass over a recording produced.
public struct TranscodeResult: Sendable {
    public var analysis: AudioAnalysis
    /// Size of the Opus file, 0 when only analysing.
    public var outputBytes: Int
    /// The rate libopus ran at (the input's own rate when Opus supports it).
    public var encodedSampleRate: Int
    /// Frames decoded from the input.
    public var inputFrames: Int
    /// Opus packets written.
    public var packets: Int
}
