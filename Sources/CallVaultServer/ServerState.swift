import CallVaultCore
import CallVaultStore
import Crypto
import Foundation
import Synchronization

/// What every route shares: the index (SQLite or PostgreSQL, through ``ServerStore``), the
/// settings, the clock and the access tracker.
public struct ServerState: Sendable {
    public let store: any ServerStore
    public let settings: ServerSettings
    /// Injected so tests can walk through session expiry and lockouts.
    public let now: @Sendable () -> Date
    let plays: PlayTracker
    let metrics: RequestMetrics
    let campaigns: CampaignList

    /// The state over a SQLite index.
    public init(index: CallIndex, settings: ServerSettings, now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(store: SQLiteServerStore(index: index), settings: settings, now: now)
    }

    public init(store: any ServerStore, settings: ServerSettings, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.settings = settings
        self.now = now
        self.plays = PlayTracker()
        self.metrics = RequestMetrics()
        self.campaigns = CampaignList()
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// 32 random bytes (the system's CSPRNG), hex.
    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}

/// Which plays were already audited: the first request for a call's audio in a session, or by a
/// token within an hour, is one `access` entry; the range requests that follow are not.
actor PlayTracker {
    private var seen: [String: Date] = [:]

    /// True when this play should be audited now (and remembers it).
    func shouldAudit(principal: Principal, callID: String, now: Date, tokenWindow: Double) -> Bool {
        let key: String
        var window = Double.infinity
        switch principal.via {
        case .session(let digest): key = "s:\(digest):\(callID)"
        case .token: key = "t:\(principal.name):\(callID)"; window = tokenWindow
        }
        if let last = seen[key], now.timeIntervalSince(last) < window { return false }
        seen[key] = now
        if seen.count > 100_000 { seen = seen.filter { now.timeIntervalSince($0.value) < tokenWindow } }
        return true
    }
}

/// Counters for `/metrics`, behind a lock rather than an actor: every request counts its status,
/// and an actor hop per request was a task switch on the two-thread pool that serves the pages.
final class RequestMetrics: Sendable {
    private struct Counts { var byStatus: [Int: Int] = [:]; var plays = 0, downloads = 0 }
    private let counts = Mutex(Counts())

    func count(status: Int) { counts.withLock { $0.byStatus[status, default: 0] += 1 } }
    func countPlay(download: Bool) { counts.withLock { if download { $0.downloads += 1 } else { $0.plays += 1 } } }

    func exposition(calls: Int) -> String {
        let (byStatus, plays, downloads) = counts.withLock { ($0.byStatus, $0.plays, $0.downloads) }
        var lines = ["# HELP callvault_serve_requests_total HTTP requests answered, by status.",
                     "# TYPE callvault_serve_requests_total counter"]
        for (status, n) in byStatus.sorted(by: { $0.key < $1.key }) {
            lines.append("callvault_serve_requests_total{status=\"\(status)\"} \(n)")
        }
        lines += ["# HELP callvault_serve_audio_access_total Audited plays and downloads.",
                  "# TYPE callvault_serve_audio_access_total counter",
                  "callvault_serve_audio_access_total{kind=\"play\"} \(plays)",
                  "callvault_serve_audio_access_total{kind=\"download\"} \(downloads)",
                  "# HELP callvault_index_calls Calls in the index.",
                  "# TYPE callvault_index_calls gauge",
                  "callvault_index_calls \(calls)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
