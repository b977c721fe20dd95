import CallVaultAudio
import Foundation
import Prometheus

/// Writes Prometheus text exposition for node_exporter's textfile collector, atomically
/// (temporary name, fsync, rename), so a scrape never sees half a file.
///
/// `callvault_last_success_timestamp_seconds` survives a failed run: it is carried over from
/// the previous file, so an alert on its age fires when runs keep failing.
public struct MetricsFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Step: Sendable {
        public var name: String
        public var exitCode: Int32
        public var seconds: Double
        public init(name: String, exitCode: Int32, seconds: Double) {
            self.name = name
            self.exitCode = exitCode
            self.seconds = seconds
        }
    }

    /// Metrics of a `run`, and of a job's steps when `job` is given.
    public func write(summary: RunSummary?, succeeded: Bool, job: String? = nil, steps: [Step] = [], now: Date = Date()) throws {
        let text = Self.render(summary: summary, succeeded: succeeded, job: job, steps: steps, now: now, previousSuccess: previousLastSuccess())
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
    }

    /// The exposition text (also served by ``MetricsServer`` in watch mode).
    public static func render(summary: RunSummary?, succeeded: Bool, job: String? = nil, steps: [Step] = [], now: Date = Date(),
                              previousSuccess: Double? = nil) -> String {
        let registry = PrometheusCollectorRegistry()
        let labels: [(String, String)] = job.map { [("job_name", $0)] } ?? []
        if let s = summary {
            func counter(_ name: String, _ help: String, _ value: Double) {
                registry.makeCounter(name: name, labels: labels, help: help).increment(by: value)
            }
            counter("callvault_calls_archived_total", "Calls archived by the last run.", Double(s.archived))
            counter("callvault_calls_failed_total", "Inputs quarantined to SPOOL/failed by the last run.", Double(s.failed))
            counter("callvault_calls_duplicate_total", "Duplicate arrivals recognised by the last run.", Double(s.duplicates))
            counter("callvault_audio_seconds_total", "Seconds of audio archived by the last run.", Double(s.audioMs) / 1000)
            counter("callvault_bytes_in_total", "Bytes of source audio read by the last run.", Double(s.bytesIn))
            counter("callvault_bytes_out_total", "Bytes of Opus written by the last run.", Double(s.bytesOut))
            registry.makeGauge(name: "callvault_run_duration_seconds", labels: labels, help: "Wall time of the last run.").set(to: s.wallSeconds)
        }
        for step in steps {
            let l = labels + [("step", step.name)]
            registry.makeGauge(name: "callvault_job_step_exit_code", labels: l, help: "Exit status of each step of the last job run.")
                .set(to: Double(step.exitCode))
            registry.makeGauge(name: "callvault_job_step_duration_seconds", labels: l, help: "Wall time of each step of the last job run.")
                .set(to: step.seconds)
        }
        let lastSuccess = succeeded ? now.timeIntervalSince1970 : previousSuccess
        registry.makeGauge(name: "callvault_last_success_timestamp_seconds", labels: labels,
                           help: "Unix time of the last run that ended without error.").set(to: lastSuccess ?? 0)
        registry.makeGauge(name: "callvault_last_run_timestamp_seconds", labels: labels, help: "Unix time of the last run.")
            .set(to: now.timeIntervalSince1970)
        registry.makeGauge(name: "callvault_last_run_success", labels: labels, help: "1 when the last run ended without error.")
            .set(to: succeeded ? 1 : 0)
        return registry.emitToString()
    }

    private func previousLastSuccess() -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("callvault_last_success_timestamp_seconds") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}
