import Foundation
import Synchronization

/// The live progress line on a terminal (done/total, audio hours, rate, ETA) and the run's tally.
///
/// Thread-safe: every worker task reports into it. Draws only when stderr is a TTY.
public final class ProgressReporter: Sendable {
    private struct State {
        var summary = RunSummary()
        var total = 0
        var lastDraw = 0.0
    }
    private let state = Mutex(State())
    private let start = Date()
    private let live: Bool

    public init(live: Bool = isatty(2) == 1) { self.live = live }

    public func expect(total: Int) {
        state.withLock { $0.total = max($0.total, total) }
    }

    func record(_ result: JobResult) {
        let line: String? = state.withLock { s in
            s.summary.add(result)
            let now = Date().timeIntervalSince(start)
            guard live, now - s.lastDraw > 0.2 || s.summary.archived + s.summary.failed + s.summary.duplicates >= s.total else { return nil }
            s.lastDraw = now
            return Self.line(s, elapsed: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1b}[K" + line).utf8)) }
    }

    /// The tally so far (for metrics while watching).
    public func snapshot() -> RunSummary {
        state.withLock { s in
            var summary = s.summary
            summary.wallSeconds = Date().timeIntervalSince(start)
            return summary
        }
    }

    public func finish(stoppedBecause: String?) -> RunSummary {
        if live { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) }
        return state.withLock { s in
            s.summary.wallSeconds = Date().timeIntervalSince(start)
            s.summary.stoppedBecause = stoppedBecause
            return s.summary
        }
    }

    private static func line(_ s: State, elapsed: Double) -> String {
        let done = s.summary.archived + s.summary.failed + s.summary.duplicates
        let audioSeconds = Double(s.summary.audioMs) / 1000
        let rate = elapsed > 0 ? audioSeconds / elapsed : 0
        let remaining = max(s.total - done, 0)
        let eta = done > 0 ? elapsed / Double(done) * Double(remaining) : 0
        return String(format: "[%d/%d] %.2f h audio · %.0fx realtime · ETA %d:%02d", done, s.total,
                      audioSeconds / 3600, rate, Int(eta) / 60, Int(eta) % 60)
    }
}
