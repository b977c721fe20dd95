@testable import CallVaultAudio
import COpus
import Foundation
import Testing

/// Packets from libopus's multistream encoder, created as callvault created it before issue 19.
private func multistreamPackets(_ pcm: [Float], rate: Int, channels: Int, bitratePerChannel: Int) throws -> [[UInt8]] {
    var error: Int32 = 0
    let mapping = (0..<channels).map { UInt8($0) }
    let enc = try #require(opus_multistream_encoder_create(Int32(rate), Int32(channels), Int32(channels), 0, mapping,
                                                          OPUS_APPLICATION_VOIP, &error))
    defer { opus_multistream_encoder_destroy(enc) }
    #expect(copus_ms_set_bitrate(enc, Int32(bitratePerChannel * channels)) == OPUS_OK)
    #expect(copus_ms_set_complexity(enc, 5) == OPUS_OK)
    #expect(copus_ms_set_max_bandwidth(enc, OPUS_BANDWIDTH_NARROWBAND) == OPUS_OK)
    #expect(copus_ms_set_signal_voice(enc) == OPUS_OK)
    let frame = rate / 50
    var out = [UInt8](repeating: 0, count: 8000 * channels)
    var packets: [[UInt8]] = []
    for start in stride(from: 0, to: pcm.count - frame * channels + 1, by: frame * channels) {
        let n = pcm[start..<start + frame * channels].withUnsafeBufferPointer {
            opus_multistream_encode_float(enc, $0.baseAddress!, Int32(frame), &out, Int32(out.count))
        }
        try #require(n > 0)
        packets.append(Array(out[0..<Int(n)]))
    }
    return packets
}

private func ourPackets(_ pcm: [Float], rate: Int, channels: Int, bitratePerChannel: Int) throws -> [[UInt8]] {
    let enc = try OpusStreamEncoder(sampleRate: rate, channels: channels, bitratePerChannel: bitratePerChannel, complexity: 5)
    var packets: [[UInt8]] = []
    for start in stride(from: 0, to: pcm.count - enc.frameSize * channels + 1, by: enc.frameSize * channels) {
        try pcm[start..<start + enc.frameSize * channels].withUnsafeBufferPointer { frame in
            try enc.encode(frame: frame) { packets.append(Array($0)) }
        }
    }
    return packets
}

/// `channels` channels of real speech, each channel the prompt shifted by a different offset.
private func speech(channels: Int) throws -> [Float] {
    let mono = try FixtureAudio.samples("speech.wav").samples
    var out = [Float](repeating: 0, count: mono.count * channels)
    for c in 0..<channels {
        let shift = c * 7919
        for i in mono.indices { out[i * channels + c] = mono[(i + shift) % mono.count] * (1 - 0.3 * Float(c)) }
    }
    return out
}

@Suite("Opus encoding with one single-stream encoder per channel")
struct OpusStreamEncoderTests {
    @Test("mapping family: 0 for mono, 1 for two channels, 255 (discrete order) from three",
          arguments: [(1, 0), (2, 1), (3, 255), (5, 255), (6, 255), (8, 255), (9, 255)])
    func mappingFamily(channels: Int, family: Int) throws {
        let enc = try OpusStreamEncoder(sampleRate: 8000, channels: channels, bitratePerChannel: 16000, complexity: 5)
        #expect(Int(enc.mappingFamily) == family)
        #expect(enc.streams == channels && enc.coupledStreams == 0)
        #expect(enc.mapping == (0..<channels).map { UInt8($0) })
    }

    @Test("real speech: packets are byte for byte those of libopus's multistream encoder", arguments: [1, 2, 3])
    func sameAsMultistream(channels: Int) throws {
        let pcm = try speech(channels: channels)
        let ours = try ourPackets(pcm, rate: 8000, channels: channels, bitratePerChannel: 16000)
        let theirs = try multistreamPackets(pcm, rate: 8000, channels: channels, bitratePerChannel: 16000)
        #expect(ours.count == theirs.count && ours.count > 1000)
        let firstDifference = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "packet \(firstDifference ?? -1) differs")
    }

    @Test("self-delimiting framing (RFC 6716 appendix B) for every framing code")
    func reframe() throws {
        // (packet, self-delimited, expected): TOC config 0b01111 (SILK NB 20 ms) in every case.
        let long = [UInt8](repeating: 0xAB, count: 300)
        let cases: [([UInt8], Bool, [UInt8])] = [
            ([0x78, 1, 2, 3], false, [0x78, 1, 2, 3]),
            ([0x78, 1, 2, 3], true, [0x78, 3, 1, 2, 3]),
            ([0x78] + long, true, [0x78, 252, 12] + long),                      // 300 = 252 + 4 * 12
            ([0x79, 1, 2, 3, 4], true, [0x79, 2, 1, 2, 3, 4]),                  // code 1: both frames 2 bytes
            ([0x7A, 1, 9, 7, 7], true, [0x7A, 1, 2, 9, 7, 7]),                  // code 2: 1 then 2 bytes
            ([0x7A, 1, 9, 7, 7], false, [0x7A, 1, 9, 7, 7]),
            ([0x7B, 0x83, 1, 2, 9, 8, 8, 7, 7, 7], true, [0x7B, 0x83, 1, 2, 3, 9, 8, 8, 7, 7, 7]),  // code 3 VBR
            ([0x7B, 0x03, 9, 8, 7], true, [0x7B, 0x03, 1, 9, 8, 7]),            // code 3 CBR
            ([0x7B, 0x42, 2, 5, 6, 0, 0], true, [0x79, 1, 5, 6]),               // padding dropped, 2 equal frames become code 1
        ]
        for (packet, selfDelimited, expected) in cases {
            var out = [UInt8](repeating: 0, count: 1000)
            let n = try packet.withUnsafeBufferPointer { p in
                try out.withUnsafeMutableBufferPointer { try OpusStreamEncoder.reframe(p, selfDelimited: selfDelimited, into: $0) }
            }
            #expect(Array(out[0..<n]) == expected, "\(packet) self-delimited \(selfDelimited)")
        }
    }

    @Test("libopus's multistream decoder reads our joined packets: each channel decodes as its own stream")
    func decodes() throws {
        let channels = 3
        let pcm = try speech(channels: channels)
        let packets = try ourPackets(pcm, rate: 8000, channels: channels, bitratePerChannel: 16000)
        var error: Int32 = 0
        let mapping = (0..<channels).map { UInt8($0) }
        let dec = try #require(opus_multistream_decoder_create(8000, Int32(channels), Int32(channels), 0, mapping, &error))
        defer { opus_multistream_decoder_destroy(dec) }
        var out = [Float](repeating: 0, count: 160 * channels)
        var energy = [Double](repeating: 0, count: channels)
        var reference = [Double](repeating: 0, count: channels)
        for (k, packet) in packets.enumerated() {
            let n = opus_multistream_decode_float(dec, packet, Int32(packet.count), &out, 160, 0)
            try #require(n == 160, "packet \(k): \(n)")
            for i in 0..<160 * channels {
                energy[i % channels] += Double(out[i] * out[i])
                let s = pcm[k * 160 * channels + i]
                reference[i % channels] += Double(s * s)
            }
        }
        // Channel c carries the prompt at (1 - 0.3 c) of its level (0, -3.1, -8 dB): each decodes at its own level.
        for c in 0..<channels {
            let db = 10 * log10(energy[c] / reference[c])
            #expect(abs(db) < 1, "channel \(c): \(db) dB from the source")
        }
    }
}
