import CSndFile

/// Headerless formats that phone switches write, recognised by extension (Asterisk's names).
///
/// | extension | content |
/// |---|---|
/// | `.ulaw`, `.ul`, `.pcmu` | G.711 mu-law, 8 kHz mono |
/// | `.alaw`, `.al`, `.pcma` | G.711 A-law, 8 kHz mono |
/// | `.gsm` | raw GSM 6.10 frames, 8 kHz mono |
/// | `.sln`, `.raw` | signed 16-bit little-endian, 8 kHz mono |
/// | `.sln16` | signed 16-bit little-endian, 16 kHz mono |
public struct RawFormat: Sendable {
    public var sampleRate: Int
    public var sndfileFormat: Int

    public init?(path: String) {
        let ext = path.split(separator: "/").last?.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let raw = SF_FORMAT_RAW
        switch ext {
        case "ulaw", "ul", "pcmu": self.init(sampleRate: 8000, sndfileFormat: raw | SF_FORMAT_ULAW)
        case "alaw", "al", "pcma": self.init(sampleRate: 8000, sndfileFormat: raw | SF_FORMAT_ALAW)
        case "gsm": self.init(sampleRate: 8000, sndfileFormat: raw | SF_FORMAT_GSM610)
        case "sln", "raw": self.init(sampleRate: 8000, sndfileFormat: raw | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE)
        case "sln16": self.init(sampleRate: 16000, sndfileFormat: raw | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE)
        default: return nil
        }
    }

    init(sampleRate: Int, sndfileFormat: Int) {
        self.sampleRate = sampleRate
        self.sndfileFormat = sndfileFormat
    }

    /// Extensions recognised as headerless audio.
    public static let extensions: Set<String> = ["ulaw", "ul", "pcmu", "alaw", "al", "pcma", "gsm", "sln", "raw", "sln16"]
}
