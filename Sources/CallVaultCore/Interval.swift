/// A half-open stretch of a recording, `[startMs, endMs)`, in milliseconds from its start.
public struct Interval: Sendable, Hashable, Codable {
    public var startMs: Int
    public var endMs: Int

    public init(startMs: Int, endMs: Int) {
        self.startMs = startMs
        self.endMs = endMs
    }

    public var lengthMs: Int { endMs - startMs }

    enum CodingKeys: String, CodingKey {
        case startMs = "start_ms"
        case endMs = "end_ms"
    }
}
