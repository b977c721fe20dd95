import CallVaultFiles
import COgg
import Foundation

/// Muxes Opus packets into Ogg pages (RFC 7845) with libogg and hands each page to an ``AtomicFile``.
///
/// Writes the OpusHead (original input rate, pre-skip, channel mapping) and OpusTags pages, then
/// audio pages whose granule positions count 48 kHz samples; the last page carries the end-trimmed
/// granule so players stop exactly at the input's last sample. Owns the `ogg_stream_state`.
public final class OggOpusWriter {
    private let stream: UnsafeMutablePointer<ogg_stream_state>
    private let output: AtomicFile
    private var packetNumber: Int64 = 0
    private var packetsSinceFlush = 0
    /// Packets per page before a forced flush: 50 × 20 ms keeps pages near one second for seeking.
    private let packetsPerPage = 50

    public struct Header: Sendable {
        public var channels: Int
        public var preSkip: Int
        public var inputSampleRate: Int
        public var mappingFamily: UInt8
        public var streams: Int
        public var coupledStreams: Int
        public var mapping: [UInt8]
        public var vendor: String
        public var comments: [String]

        public init(channels: Int, preSkip: Int, inputSampleRate: Int, mappingFamily: UInt8, streams: Int,
                    coupledStreams: Int, mapping: [UInt8], vendor: String, comments: [String]) {
            self.channels = channels
            self.preSkip = preSkip
            self.inputSampleRate = inputSampleRate
            self.mappingFamily = mappingFamily
            self.streams = streams
            self.coupledStreams = coupledStreams
            self.mapping = mapping
            self.vendor = vendor
            self.comments = comments
        }

        var opusHead: [UInt8] {
            var bytes = Array("OpusHead".utf8)
            bytes.append(1)
            bytes.append(UInt8(channels))
            bytes.append(contentsOf: le16(UInt16(preSkip)))
            bytes.append(contentsOf: le32(UInt32(inputSampleRate)))
            bytes.append(contentsOf: le16(0))
            bytes.append(mappingFamily)
            if mappingFamily != 0 {
                bytes.append(UInt8(streams))
                bytes.append(UInt8(coupledStreams))
                bytes.append(contentsOf: mapping)
            }
            return bytes
        }

        var opusTags: [UInt8] {
            var bytes = Array("OpusTags".utf8)
            let vendorBytes = Array(vendor.utf8)
            bytes.append(contentsOf: le32(UInt32(vendorBytes.count)))
            bytes.append(contentsOf: vendorBytes)
            bytes.append(contentsOf: le32(UInt32(comments.count)))
            for comment in comments {
                let c = Array(comment.utf8)
                bytes.append(contentsOf: le32(UInt32(c.count)))
                bytes.append(contentsOf: c)
            }
            return bytes
        }
    }

    public init(output: AtomicFile, serial: Int32, header: Header) throws {
        self.output = output
        stream = .allocate(capacity: 1)
        guard ogg_stream_init(stream, serial) == 0 else {
            stream.deallocate()
            throw AudioError(.codec, path: output.path, "libogg could not start a stream")
        }
        try submit(header.opusHead, granule: 0, beginning: true, end: false)
        try flush()
        try submit(header.opusTags, granule: 0, beginning: false, end: false)
        try flush()
    }

    deinit {
        ogg_stream_clear(stream)
        stream.deallocate()
    }

    /// Adds one audio packet; `granule` is the 48 kHz sample position at its end (pre-skip included).
    public func writeAudio(_ packet: UnsafeBufferPointer<UInt8>, granule: Int64, last: Bool) throws {
        try submit(packet, granule: granule, beginning: false, end: last)
        packetsSinceFlush += 1
        if last || packetsSinceFlush >= packetsPerPage {
            try flush()
        } else {
            try drain()
        }
    }

    private func submit(_ bytes: [UInt8], granule: Int64, beginning: Bool, end: Bool) throws {
        try bytes.withUnsafeBufferPointer { try submit($0, granule: granule, beginning: beginning, end: end) }
    }

    private func submit(_ bytes: UnsafeBufferPointer<UInt8>, granule: Int64, beginning: Bool, end: Bool) throws {
        var packet = ogg_packet()
        packet.packet = UnsafeMutablePointer(mutating: bytes.baseAddress)
        packet.bytes = bytes.count
        packet.b_o_s = beginning ? 1 : 0
        packet.e_o_s = end ? 1 : 0
        packet.granulepos = granule
        packet.packetno = packetNumber
        packetNumber += 1
        guard ogg_stream_packetin(stream, &packet) == 0 else {
            throw AudioError(.codec, path: output.path, "libogg refused a packet")
        }
    }

    /// Writes the pages libogg considers full.
    private func drain() throws {
        var page = ogg_page()
        while ogg_stream_pageout(stream, &page) != 0 { try write(page) }
    }

    /// Writes every pending packet out, ending the current page.
    private func flush() throws {
        var page = ogg_page()
        while ogg_stream_flush(stream, &page) != 0 { try write(page) }
        packetsSinceFlush = 0
    }

    private func write(_ page: ogg_page) throws {
        try output.write(UnsafeRawBufferPointer(start: page.header, count: page.header_len))
        try output.write(UnsafeRawBufferPointer(start: page.body, count: page.body_len))
    }
}

private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
