/// A container header recognised from a file's first bytes.
///
/// Headerless formats (`.ulaw`, `.alaw`, `.gsm`, `.sln`...) are chosen by extension, and any bytes
/// decode as µ-law: a WAV renamed `.ulaw` would become noise of twice its length. ``AudioReader``
/// looks for these signatures first and, when one is there, lets libsndfile read the real header.
///
/// ```swift
/// FileSignature.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8))   // .riff
/// FileSignature.detect([0xFF, 0xFF, 0xFF, 0xFF])                     // nil: µ-law silence
/// ```
public enum FileSignature: String, Sendable, CaseIterable {
    case riff = "a RIFF (WAV) header"
    case rifx = "a RIFX (big-endian WAV) header"
    case rf64 = "an RF64 (WAV) header"
    case form = "a FORM (AIFF) header"
    case caf = "a CAF header"
    case flac = "a FLAC header"
    case ogg = "an Ogg page"
    case id3 = "an ID3 tag (MP3)"
    case mpeg = "MPEG audio frames (MP3)"
    case sunAU = "a Sun/NeXT .snd (AU) header"

    /// Bytes to read for ``detect(_:)``: the longest MPEG frame and the next frame's header.
    public static let prefixLength = 4096

    /// The signature at the start of `bytes`, or nil for data with no recognised header.
    public static func detect(_ bytes: [UInt8]) -> FileSignature? {
        func starts(_ magic: String, at offset: Int = 0) -> Bool {
            let m = Array(magic.utf8)
            return bytes.count >= offset + m.count && Array(bytes[offset..<offset + m.count]) == m
        }
        if starts("RIFF") { return .riff }
        if starts("RIFX") { return .rifx }
        if starts("RF64") { return .rf64 }
        if starts("FORM") { return .form }
        if starts("caff") { return .caf }
        if starts("fLaC") { return .flac }
        if starts("OggS") { return .ogg }
        if starts("ID3") { return .id3 }
        if starts(".snd") || starts("dns.") { return .sunAU }
        if let first = MPEGFrameHeader(bytes, at: 0) {
            // One valid header is four bytes a µ-law or PCM file can hold by chance; an encoder's
            // output has the next frame's header where this frame ends.
            let next = first.length
            if bytes.count < next + 4 { return bytes.count >= 4 ? .mpeg : nil }
            if let second = MPEGFrameHeader(bytes, at: next), second.sameStream(as: first) { return .mpeg }
        }
        return nil
    }
}

/// A complete, valid MPEG-1/2/2.5 audio frame header (layers I–III): sync, version, layer,
/// bitrate index (not free, not 15), sample rate index (not 3), emphasis (not the reserved 2).
struct MPEGFrameHeader {
    /// 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5.
    let version: Int
    /// 3 = layer I, 2 = layer II, 1 = layer III.
    let layer: Int
    let bitrate: Int
    let sampleRate: Int
    /// The frame's length in bytes, header included.
    let length: Int

    init?(_ b: [UInt8], at o: Int) {
        guard b.count >= o + 4, b[o] == 0xFF, b[o + 1] & 0xE0 == 0xE0 else { return nil }
        version = Int(b[o + 1] >> 3) & 3
        layer = Int(b[o + 1] >> 1) & 3
        let bitrateIndex = Int(b[o + 2] >> 4)
        let rateIndex = Int(b[o + 2] >> 2) & 3
        let padding = Int(b[o + 2] >> 1) & 1
        guard version != 1, layer != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3,
              b[o + 3] & 3 != 2 else { return nil }
        let kbps: [Int] = switch (version == 3, layer) {
        case (true, 3): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (true, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (true, _): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (false, 3): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        case (false, _): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        bitrate = kbps[bitrateIndex] * 1000
        let base = [44100, 48000, 32000][rateIndex]
        sampleRate = version == 3 ? base : version == 2 ? base / 2 : base / 4
        switch layer {
        case 3: length = (12 * bitrate / sampleRate + padding) * 4
        case 1 where version != 3: length = 72 * bitrate / sampleRate + padding
        default: length = 144 * bitrate / sampleRate + padding
        }
    }

    func sameStream(as other: MPEGFrameHeader) -> Bool {
        version == other.version && layer == other.layer && sampleRate == other.sampleRate
    }
}
