import CallVaultCore
import CallVaultFiles
import Foundation

/// The one-pass pipeline: decode each block once, feed it to the level meter, the DTMF detector and
/// the encoder (through the DTMF masker's delay line, and the resampler only for rates Opus lacks); the Ogg pages go to an ``AtomicFile``
/// that hashes what it writes. Memory is fixed: one block, one Opus frame, one pending packet.
///
/// ```swift
/// let out = try AtomicFile(path: "call.opus")
/// let result = try Transcoder.run(input: "call.wav", output: out, options: TranscodeOptions())
/// try out.finish()
/// ```
public enum Transcoder {
    /// Runs the pass. With `output` nil it only analyses. `progress` receives frames read so far after each block.
    public static func run(input: String, output: AtomicFile?, options: TranscodeOptions,
                           progress: ((Int) throws -> Void)? = nil) throws -> TranscodeResult {
        let reader = try AudioReader(path: input)
        let channels = reader.channels
        var meter = LevelMeter(sampleRate: reader.sampleRate, channels: channels, settings: options.analysis)
        let encoding = try output.map { try EncodingChain(reader: reader, output: $0, options: options) }
        let masker = options.maskDTMF || !options.redact.isEmpty
            ? DTMFMasker(sampleRate: reader.sampleRate, channels: channels, guardMs: TranscodeOptions.dtmfGuardMs,
                         detect: options.maskDTMF, requested: options.redact,
                         profile: reader.isGSM610 ? .gsm610 : .waveform) : nil
        let encode: ((UnsafeBufferPointer<Float>) throws -> Void)? = encoding.map { chain in { try chain.consume($0) } }
        var block = [Float](repeating: 0, count: options.blockFrames * channels)
        while true {
            let n = try reader.read(into: &block, frames: options.blockFrames)
            if n == 0 { break }
            try block.withUnsafeBufferPointer { all in
                let samples = UnsafeBufferPointer(rebasing: all[0..<n * channels])
                meter.consume(samples)
                if let masker {
                    try masker.consume(samples, encode: encode)
                } else {
                    try encode?(samples)
                }
            }
            try progress?(reader.framesRead)
        }
        var warnings = reader.warnings
        let missing = reader.declaredFrames - reader.framesRead
        if reader.declaredFrames > 0, missing > reader.sampleRate / 50 {
            warnings.append(String(format: "truncated: header declares %.1f s, %.1f s present",
                                   Double(reader.declaredFrames) / Double(reader.sampleRate),
                                   Double(reader.framesRead) / Double(reader.sampleRate)))
        }
        if reader.framesRead == 0 { warnings.append("empty: the file holds no audio frames") }
        let durationMs = Int(Int64(reader.framesRead) * 1000 / Int64(reader.sampleRate))
        try masker?.finish(encode: encode)
        var analysis = ActivityTimeline.analyse(
            rawRuns: meter.finish(), roles: options.roles, durationMs: durationMs, sampleRate: reader.sampleRate,
            format: reader.formatName, warnings: warnings, settings: options.analysis)
        if let masker {
            analysis.redactions = masker.redactions(totalFrames: reader.framesRead)
            analysis.warnings += masker.requestedWarnings(totalFrames: reader.framesRead)
            analysis.dtmfTonesMasked = masker.keyPresses
        }
        let packets = try encoding?.finish(inputFrames: reader.framesRead) ?? 0
        return TranscodeResult(
            analysis: analysis, outputBytes: output?.bytesWritten ?? 0,
            encodedSampleRate: encoding?.encoder.sampleRate ?? Resampler.opusRate(for: reader.sampleRate),
            inputFrames: reader.framesRead, packets: packets)
    }
}

/// Resampler (when needed) ▶ 20 ms framing ▶ libopus ▶ Ogg pages.
final class EncodingChain {
    let encoder: OpusStreamEncoder
    let resampler: Resampler?
    let writer: OggOpusWriter
    let inputRate: Int
    let preSkip48: Int
    private let granulePerPacket: Int64
    private var frame: [Float]
    private var filled = 0
    private var fedFrames = 0
    private var encodedFrames = 0
    private var pending: [UInt8] = []
    private var pendingGranule: Int64 = 0
    private var havePending = false
    private(set) var packets = 0

    init(reader: AudioReader, output: AtomicFile, options: TranscodeOptions) throws {
        let rate = Resampler.opusRate(for: reader.sampleRate)
        encoder = try OpusStreamEncoder(
            sampleRate: rate, channels: reader.channels,
            bitratePerChannel: options.bitratePerChannel ?? TranscodeOptions.defaultBitrate(opusRate: rate),
            complexity: options.complexity)
        resampler = rate == reader.sampleRate ? nil
            : try Resampler(inputRate: reader.sampleRate, outputRate: rate, channels: reader.channels)
        inputRate = reader.sampleRate
        preSkip48 = encoder.lookahead * (48000 / rate)
        granulePerPacket = Int64(encoder.frameSize * (48000 / rate))
        frame = [Float](repeating: 0, count: encoder.frameSize * reader.channels)
        pending.reserveCapacity(4000)
        let header = OggOpusWriter.Header(
            channels: reader.channels, preSkip: preSkip48, inputSampleRate: reader.sampleRate,
            mappingFamily: encoder.mappingFamily, streams: encoder.streams, coupledStreams: encoder.coupledStreams,
            mapping: encoder.mapping, vendor: "callvault \(CallVault.version)",
            comments: ["ENCODER=callvault \(CallVault.version)"] + options.comments)
        writer = try OggOpusWriter(output: output, serial: options.serial ?? Int32.random(in: 1...Int32.max), header: header)
    }

    func consume(_ samples: UnsafeBufferPointer<Float>) throws {
        if let resampler {
            try resampler.process(samples, frames: samples.count / encoder.channels) { try frameAndEncode($0) }
        } else {
            try frameAndEncode(samples)
        }
    }

    private func frameAndEncode(_ samples: UnsafeBufferPointer<Float>) throws {
        let channels = encoder.channels
        fedFrames += samples.count / channels
        var offset = 0
        while offset < samples.count {
            let take = min(frame.count - filled, samples.count - offset)
            frame.withUnsafeMutableBufferPointer { dst in
                _ = UnsafeMutableBufferPointer(rebasing: dst[filled..<filled + take])
                    .initialize(from: UnsafeBufferPointer(rebasing: samples[offset..<offset + take]))
            }
            filled += take
            offset += take
            if filled == frame.count { try encodeFrame() }
        }
    }

    private func encodeFrame() throws {
        try flushPending(last: false, granule: nil)
        try frame.withUnsafeBufferPointer { pcm in
            try encoder.encode(frame: pcm) { packet in
                pending.removeAll(keepingCapacity: true)
                pending.append(contentsOf: packet)
            }
        }
        encodedFrames += encoder.frameSize
        packets += 1
        pendingGranule = Int64(packets) * granulePerPacket
        havePending = true
        filled = 0
    }

    private func flushPending(last: Bool, granule: Int64?) throws {
        guard havePending else { return }
        try pending.withUnsafeBufferPointer {
            try writer.writeAudio($0, granule: granule ?? pendingGranule, last: last)
        }
        havePending = false
    }

    /// Drains the resampler, pads with silence until the encoder's delay is flushed, and writes
    /// the last packet with the end-trimmed granule position. Returns the number of packets.
    func finish(inputFrames: Int) throws -> Int {
        if let resampler {
            try resampler.process(nil, frames: 0) { try frameAndEncode($0) }
        }
        let needed = fedFrames + encoder.lookahead
        repeat {
            frame.withUnsafeMutableBufferPointer { buf in
                for i in filled..<buf.count { buf[i] = 0 }
            }
            filled = frame.count
            try encodeFrame()
        } while encodedFrames < needed
        let finalGranule = Int64(preSkip48) + Int64(inputFrames) * 48000 / Int64(inputRate)
        try flushPending(last: true, granule: min(finalGranule, pendingGranule))
        return packets
    }
}
