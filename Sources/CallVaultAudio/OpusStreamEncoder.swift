import COpus

/// libopus, opened at the input's own rate, with every channel its own uncoupled stream.
///
/// Uncoupled streams keep a dual-channel caller/agent recording separable after decoding:
/// a coupled stereo stream at telephony bitrates leaks the talking side into the silent one.
/// Mono uses channel mapping family 0; 2–8 channels family 1 with one stream per channel;
/// more use family 255. Owns the `OpusMSEncoder*` and destroys it in `deinit`.
public final class OpusStreamEncoder {
    public let sampleRate: Int
    public let channels: Int
    public let mappingFamily: UInt8
    public let streams: Int
    public let coupledStreams: Int
    public let mapping: [UInt8]
    /// Samples per channel in one 20 ms packet at `sampleRate`.
    public let frameSize: Int
    /// The encoder's delay at `sampleRate`.
    public let lookahead: Int
    private let handle: OpaquePointer
    private var packet = [UInt8](repeating: 0, count: 4000 * 8)

    /// Opus's own rates; any other input rate must be resampled first.
    public static let supportedRates: Set<Int> = [8000, 12000, 16000, 24000, 48000]

    public init(sampleRate: Int, channels: Int, bitratePerChannel: Int, complexity: Int) throws {
        guard Self.supportedRates.contains(sampleRate) else {
            throw AudioError(.codec, path: "", "Opus cannot encode at \(sampleRate) Hz")
        }
        self.sampleRate = sampleRate
        self.channels = channels
        self.mappingFamily = channels == 1 ? 0 : (channels <= 8 ? 1 : 255)
        self.streams = channels
        self.coupledStreams = 0
        self.mapping = (0..<channels).map { UInt8($0) }
        self.frameSize = sampleRate / 50
        var error: Int32 = 0
        let created = mapping.withUnsafeBufferPointer {
            opus_multistream_encoder_create(Int32(sampleRate), Int32(channels), Int32(channels), 0,
                                            $0.baseAddress!, OPUS_APPLICATION_VOIP, &error)
        }
        guard let created, error == OPUS_OK else {
            throw AudioError(.codec, path: "", "libopus refused the encoder (\(String(cString: opus_strerror(error))))")
        }
        handle = created
        let bandwidth: Int32 = switch sampleRate {
        case 8000: OPUS_BANDWIDTH_NARROWBAND
        case 12000: OPUS_BANDWIDTH_MEDIUMBAND
        case 16000: OPUS_BANDWIDTH_WIDEBAND
        case 24000: OPUS_BANDWIDTH_SUPERWIDEBAND
        default: OPUS_BANDWIDTH_FULLBAND
        }
        var la: Int32 = 0
        let results = [
            copus_ms_set_bitrate(handle, Int32(bitratePerChannel * channels)),
            copus_ms_set_complexity(handle, Int32(complexity)),
            copus_ms_set_max_bandwidth(handle, bandwidth),
            copus_ms_set_signal_voice(handle),
            copus_ms_get_lookahead(handle, &la),
        ]
        if let bad = results.first(where: { $0 != OPUS_OK }) {
            opus_multistream_encoder_destroy(handle)
            throw AudioError(.codec, path: "", "libopus refused a setting (\(String(cString: opus_strerror(bad))))")
        }
        lookahead = Int(la)
    }

    deinit { opus_multistream_encoder_destroy(handle) }

    /// Encodes exactly one 20 ms frame (`frameSize * channels` interleaved floats) and hands the packet to `body`.
    public func encode<R>(frame: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        precondition(frame.count == frameSize * channels)
        let n = packet.withUnsafeMutableBufferPointer { out in
            opus_multistream_encode_float(handle, frame.baseAddress!, Int32(frameSize), out.baseAddress!, Int32(out.count))
        }
        guard n > 0 else {
            throw AudioError(.codec, path: "", "libopus failed to encode (\(String(cString: opus_strerror(n))))")
        }
        return try packet.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<Int(n)])) }
    }
}
