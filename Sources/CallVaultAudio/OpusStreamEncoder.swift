import COpus

/// libopus, opened at the input's own rate, with every channel its own uncoupled stream.
///
/// Uncoupled streams keep a dual-channel caller/agent recording separable after decoding:
/// a coupled stereo stream at telephony bitrates leaks the talking side into the silent one.
///
/// Channel mapping (RFC 7845 §5.1.1): mono is family 0; two channels family 1 (left, right);
/// three or more family 255 (discrete), because family 1 means Vorbis surround order and
/// decoders reorder 3-, 5- and 6-channel files (the centre moves from channel 2 to channel 3).
///
/// Every channel has its own single-stream `OpusEncoder`: `opus_multistream_encode_float` costs
/// about 35% more for the same packets (measured with libopus 1.3.1, see README "Benchmark").
/// For two or more channels the streams' packets are joined into the multistream packet the
/// OpusHead describes, each but the last in self-delimiting framing (RFC 6716 appendix B), as
/// libopus's own multistream encoder does. Owns the encoders and destroys them in `deinit`.
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
    private let encoders: [OpaquePointer]
    /// One channel's samples of the current frame (multichannel only).
    private let channelPCM: UnsafeMutablePointer<Float>
    /// One stream's packet before framing (multichannel only).
    private let streamPacket: UnsafeMutablePointer<UInt8>
    /// The packet handed to the caller.
    private let packet: UnsafeMutablePointer<UInt8>
    private let packetCapacity: Int

    /// libopus's bound for one stream's packet (6 × 1275-byte frames and their lengths), as its multistream encoder uses.
    static let maxStreamPacket = 6 * 1275 + 12

    /// Opus's own rates; any other input rate must be resampled first.
    public static let supportedRates: Set<Int> = [8000, 12000, 16000, 24000, 48000]

    /// The Ogg Opus channel mapping family for `channels` channels.
    public static func mappingFamily(channels: Int) -> UInt8 {
        switch channels {
        case 1: 0
        case 2: 1
        default: 255
        }
    }

    public init(sampleRate: Int, channels: Int, bitratePerChannel: Int, complexity: Int) throws {
        guard Self.supportedRates.contains(sampleRate) else {
            throw AudioError(.codec, path: "", "Opus cannot encode at \(sampleRate) Hz")
        }
        guard (1...255).contains(channels) else {
            throw AudioError(.codec, path: "", "Ogg Opus cannot carry \(channels) channels")
        }
        self.sampleRate = sampleRate
        self.channels = channels
        self.mappingFamily = Self.mappingFamily(channels: channels)
        self.streams = channels
        self.coupledStreams = 0
        self.mapping = (0..<channels).map { UInt8($0) }
        self.frameSize = sampleRate / 50
        let bandwidth: Int32 = switch sampleRate {
        case 8000: OPUS_BANDWIDTH_NARROWBAND
        case 12000: OPUS_BANDWIDTH_MEDIUMBAND
        case 16000: OPUS_BANDWIDTH_WIDEBAND
        case 24000: OPUS_BANDWIDTH_SUPERWIDEBAND
        default: OPUS_BANDWIDTH_FULLBAND
        }
        var created: [OpaquePointer] = []
        var la: Int32 = 0
        for _ in 0..<channels {
            var error: Int32 = 0
            guard let encoder = opus_encoder_create(Int32(sampleRate), 1, OPUS_APPLICATION_VOIP, &error), error == OPUS_OK else {
                created.forEach { opus_encoder_destroy($0) }
                throw AudioError(.codec, path: "", "libopus refused the encoder (\(String(cString: opus_strerror(error))))")
            }
            created.append(encoder)
            let results = [
                copus_set_bitrate(encoder, Int32(bitratePerChannel)),
                copus_set_complexity(encoder, Int32(complexity)),
                copus_set_max_bandwidth(encoder, bandwidth),
                copus_set_signal_voice(encoder),
                copus_get_lookahead(encoder, &la),
            ]
            if let bad = results.first(where: { $0 != OPUS_OK }) {
                created.forEach { opus_encoder_destroy($0) }
                throw AudioError(.codec, path: "", "libopus refused a setting (\(String(cString: opus_strerror(bad))))")
            }
        }
        encoders = created
        lookahead = Int(la)
        channelPCM = .allocate(capacity: frameSize)
        streamPacket = .allocate(capacity: Self.maxStreamPacket)
        packetCapacity = channels * (Self.maxStreamPacket + 2)
        packet = .allocate(capacity: packetCapacity)
    }

    deinit {
        encoders.forEach { opus_encoder_destroy($0) }
        channelPCM.deallocate()
        streamPacket.deallocate()
        packet.deallocate()
    }

    /// Encodes exactly one 20 ms frame (`frameSize * channels` interleaved floats) and hands the packet to `body`.
    public func encode<R>(frame: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        precondition(frame.count == frameSize * channels)
        if channels == 1 {
            let n = opus_encode_float(encoders[0], frame.baseAddress!, Int32(frameSize), packet, Int32(packetCapacity))
            guard n > 0 else { throw Self.encodeError(n) }
            return try body(UnsafeBufferPointer(start: packet, count: Int(n)))
        }
        var length = 0
        let pcm = frame.baseAddress!
        for c in 0..<channels {
            var src = pcm + c
            for i in 0..<frameSize {
                channelPCM[i] = src.pointee
                src += channels
            }
            let n = opus_encode_float(encoders[c], channelPCM, Int32(frameSize), streamPacket, Int32(Self.maxStreamPacket))
            guard n > 0 else { throw Self.encodeError(n) }
            length += try Self.reframe(UnsafeBufferPointer(start: streamPacket, count: Int(n)),
                                       selfDelimited: c < channels - 1,
                                       into: UnsafeMutableBufferPointer(start: packet + length, count: packetCapacity - length))
        }
        return try body(UnsafeBufferPointer(start: packet, count: length))
    }

    private static func encodeError(_ code: Int32) -> AudioError {
        AudioError(.codec, path: "", "libopus failed to encode (\(String(cString: opus_strerror(code))))")
    }

    /// Writes `packet` (a complete Opus packet) into `out` as one stream of a multistream packet and
    /// returns the bytes written: the same frames with the smallest framing code, padding dropped, and
    /// with `selfDelimited` the last frame's length added after the other lengths (RFC 6716 appendix B).
    /// This is what libopus's repacketizer writes for each stream inside `opus_multistream_encode`.
    static func reframe(_ packet: UnsafeBufferPointer<UInt8>, selfDelimited: Bool,
                        into out: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        try withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>?.self, capacity: 48) { frames in
            try withUnsafeTemporaryAllocation(of: Int16.self, capacity: 48) { sizes in
                var toc: UInt8 = 0
                var payloadOffset: Int32 = 0
                let count = Int(opus_packet_parse(packet.baseAddress!, Int32(packet.count), &toc,
                                                  frames.baseAddress!, sizes.baseAddress!, &payloadOffset))
                guard count > 0 else {
                    throw AudioError(.codec, path: "", "libopus produced a packet it cannot parse (\(String(cString: opus_strerror(Int32(count)))))")
                }
                func length(_ i: Int) -> Int { Int(sizes[i]) }
                var total = 0
                for i in 0..<count { total += length(i) }
                guard 2 + 2 * count + total <= out.count else {
                    throw AudioError(.codec, path: "", "Opus packet larger than its buffer")
                }
                var o = 0
                func put(_ byte: UInt8) { out[o] = byte; o += 1 }
                func putLength(_ n: Int) {
                    if n < 252 {
                        put(UInt8(n))
                    } else {
                        let first = 252 + (n & 3)
                        put(UInt8(first))
                        put(UInt8((n - first) >> 2))
                    }
                }
                let config = toc & 0xFC
                switch count {
                case 1:
                    put(config)
                case 2 where length(0) == length(1):
                    put(config | 1)
                case 2:
                    put(config | 2)
                    putLength(length(0))
                default:
                    let vbr = (1..<count).contains { length($0) != length(0) }
                    put(config | 3)
                    put(UInt8(count) | (vbr ? 0x80 : 0))
                    if vbr { for i in 0..<count - 1 { putLength(length(i)) } }
                }
                if selfDelimited { putLength(length(count - 1)) }
                for i in 0..<count where length(i) > 0 {
                    (out.baseAddress! + o).initialize(from: frames[i]!, count: length(i))
                    o += length(i)
                }
                return o
            }
        }
    }
}
