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
///
/// A file whose first bytes are a known header is not read this way (see ``FileSignature``).
public struct RawFormat: Sendable {
    public var sampleRate: Int
    public var sndfileFormat: Int
    /// What the extension claims, for messages: `headerless µ-law (.ulaw)`.
    public var name: String

    public init?(path: String) {
        let ext = path.split(separator: "/").last?.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let raw = SF_FORMAT_RAW
        switch ext {
        case "ulaw", "ul", "pcmu": self.init(8000, raw | SF_FORMAT_ULAW, "headerless µ-law (.\(ext))")
        case "alaw", "al", "pcma": self.init(8000, raw | SF_FORMAT_ALAW, "headerless A-law (.\(ext))")
        case "gsm": self.init(8000, raw | SF_FORMAT_GSM610, "headerless GSM 6.10 (.\(ext))")
        case "sln", "raw": self.init(8000, raw | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE, "headerless 16-bit PCM (.\(ext))")
        case "sln16": self.init(16000, raw | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE, "headerless 16-bit PCM (.\(ext))")
        default: return nil
        }
    }

    init(_ sampleRate: Int, _ sndfileFormat: Int, _ name: String) {
        self.sampleRate = sampleRate
        self.sndfileFormat = sndfileFormat
        self.name = name
    }

    /// Extensions recognised as headerless audio.
    public static let extensions: Set<String> = ["ulaw", "ul", "pcmu", "alaw", "al", "pcma", "gsm", "sln", "raw", "sln16"]
}
