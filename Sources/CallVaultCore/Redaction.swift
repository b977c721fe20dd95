/// A stretch of a recording replaced with silence in the archive, on every channel.
///
/// `reason` is `dtmf` (a key press, with its guard) or `requested` (a span the sidecar's `redact`
/// asked for). `channel` is the channel a DTMF tone was heard on (a tone leaks into the other side,
/// so the silence covers all channels); null for a requested span, which no channel gave. Times are
/// integer milliseconds, `[start, end)`. Encoded with every key present:
///
/// ```json
/// {"start_ms": 41960, "end_ms": 42160, "channel": 0, "reason": "dtmf"}
/// {"start_ms": 50000, "end_ms": 62000, "channel": null, "reason": "requested"}
/// ```
public struct Redaction: Sendable, Hashable, Codable {
    public var startMs: Int
    public var endMs: Int
    public var channel: Int?
    public var reason: String

    public static let dtmf = "dtmf"
    public static let requested = "requested"

    public init(startMs: Int, endMs: Int, channel: Int?, reason: String) {
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

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startMs = try c.decode(Int.self, forKey: .startMs)
        endMs = try c.decode(Int.self, forKey: .endMs)
        channel = try c.decodeIfPresent(Int.self, forKey: .channel)
        reason = try c.decode(String.self, forKey: .reason)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startMs, forKey: .startMs)
        try c.encode(endMs, forKey: .endMs)
        try c.encode(channel, forKey: .channel)
        try c.encode(reason, forKey: .reason)
    }
}
