/// A stretch of a recording replaced with silence in the archive, on every channel.
///
/// `channel` is the channel the reason was found on (a DTMF tone leaks into the other side, so the
/// silence covers all channels); `reason` is `dtmf`. Times are integer milliseconds, `[start, end)`.
public struct Redaction: Sendable, Hashable, Codable {
    public var startMs: Int
    public var endMs: Int
    public var channel: Int
    public var reason: String

    public init(startMs: Int, endMs: Int, channel: Int, reason: String) {
        self.startMs = startMs
        self.endMs = endMs
        self.channel = channel
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case startMs = "start_ms"
        case endMs = "end_ms"
        case channel, reason
    }
}
