import Foundation

/// What a `callvault run` did, for the final summary, `--format json` and the metrics file.
public struct RunSummary: Sendable, Codable, Equatable {
    public var archived = 0
    public var duplicates = 0
    public var failed = 0
    public var deferred = 0
    public var audioMs = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var wallSeconds = 0.0
    /// Set when the run stopped early because the environment could not take more (disk full).
    public var stoppedBecause: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case archived, duplicates, failed, deferred
        case audioMs = "audio_ms"
        case bytesIn = "bytes_in"
        case bytesOut = "bytes_out"
        case wallSeconds = "wall_seconds"
        case stoppedBecause = "stopped_because"
    }

    mutating func add(_ result: JobResult) {
        switch result {
        case let .archived(_, audioMs, bytesIn, bytesOut):
            archived += 1
            self.audioMs += audioMs
            self.bytesIn += bytesIn
            self.bytesOut += bytesOut
        case .duplicate: duplicates += 1
        case .quarantined: failed += 1
        case .deferred: deferred += 1
        }
    }

    /// `archived 12, duplicates 1, failed 2 · 0.41 h audio · 5.2 MB in → 0.6 MB out · 3.1 s`
    public var humanLine: String {
        String(format: "archived %d, duplicates %d, failed %d · %.2f h audio · %@ in → %@ out · %.1f s wall",
               archived, duplicates, failed, Double(audioMs) / 3_600_000, Self.bytes(bytesIn), Self.bytes(bytesOut), wallSeconds)
    }

    /// `12.3 kB`, `4.5 MB`, `1.20 GB`: SI units (10^3, 10^6, 10^9 bytes), as `df -H` and disk vendors count.
    public static func bytes(_ n: Int) -> String {
        if n >= 1_000_000_000 { return String(format: "%.2f GB", Double(n) / 1e9) }
        if n >= 1_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        return String(format: "%.1f kB", Double(n) / 1e3)
    }
}
