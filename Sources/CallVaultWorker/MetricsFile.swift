import CallVaultFiles
import Foundation
import Prometheus

/// Writes Prometheus text exposition for node_exporter's textfile collector, atomically
/// (temporary name, fsync, rename), so a scrape never sees half a file.
///
/// `callvault_last_success_timestamp_seconds` survives a failed run: it is carried over from
/// the previous file, so an alert on its age fires when runs keep failing. The `_total` counters
/// are monotonic across runs, as Prometheus expects of a counter: each write adds the counts of
/// this process to the values the file held when it was opened (``init(path:)``), so one value
/// opened before a watch-mode run and rewritten after every scan never counts a call twice.
public struct MetricsFile: Sendable {
    public let path: String
    /// The counters of the file as it was when this value was made.
    public let base: [String: Double]

    public init(path: String) {
        self.path = path
        base = Self.counters(inFile: path)
    }

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
        let text = Self.render(summary: summary, succeeded: succeeded, job: job, steps: steps, now: now,
                               previousSuccess: previousLastSuccess(), base: base)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
    }

    /// The exposition text (also served by ``MetricsEndpoint`` in watch mode).
    public static func render(summary: RunSummary?, succeeded: Bool, job: String? = nil, steps: [Step] = [], now: Date = Date(),
                              previousSuccess: Double? = nil, base: [String: Double] = [:]) -> String {
        let registry = PrometheusCollectorRegistry()
        let labels: [(String, String)] = job.map { [("job_name", $0)] } ?? []
        /// `callvault_NAME_UNIT`.
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "callvault", metricName: metric, unitName: unit, helpText: help)
        }
        func gauge(_ metric: String, _ unit: String, _ help: String, _ value: Double, labels extra: [(String, String)] = []) {
            registry.makeGauge(descriptor: name(metric, unit, help), labels: labels + extra).set(to: value)
        }
        if summary != nil || !base.isEmpty {
            let s = summary ?? RunSummary()
            func counter(_ metric: String, _ help: String, _ value: Double) {
                let total = (base["callvault_\(metric)_total"] ?? 0) + value
                registry.makeCounter(descriptor: name(metric, "total", help), labels: labels).increment(by: total)
            }
            counter("calls_archived", "Calls archived, all runs writing this file.", Double(s.archived))
            counter("calls_failed", "Inputs quarantined to SPOOL/failed, all runs writing this file.", Double(s.failed))
            counter("calls_duplicate", "Duplicate arrivals recognised, all runs writing this file.", Double(s.duplicates))
            counter("audio_seconds", "Seconds of audio archived, all runs writing this file.", Double(s.audioMs) / 1000)
            counter("bytes_in", "Bytes of source audio read, all runs writing this file.", Double(s.bytesIn))
            counter("bytes_out", "Bytes of Opus written, all runs writing this file.", Double(s.bytesOut))
        }
        if let s = summary {
            gauge("run_duration", "seconds", "Wall time of the last run.", s.wallSeconds)
        }
        for step in steps {
            gauge("job_step_exit_code", "", "Exit status of each step of the last job run.", Double(step.exitCode), labels: [("step", step.name)])
            gauge("job_step_duration", "seconds", "Wall time of each step of the last job run.", step.seconds, labels: [("step", step.name)])
        }
        let lastSuccess = succeeded ? now.timeIntervalSince1970 : previousSuccess
        gauge("last_success_timestamp", "seconds", "Unix time of the last run that ended without error.", lastSuccess ?? 0)
        gauge("last_run_timestamp", "seconds", "Unix time of the last run.", now.timeIntervalSince1970)
        gauge("last_run_success", "", "1 when the last run ended without error.", succeeded ? 1 : 0)
        return registry.emitToString()
    }

    /// `callvault_*_total` values of a metrics file (labels ignored: one file per run or job).
    static func counters(inFile path: String) -> [String: Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("callvault_") {
            let name = String(line.prefix { $0 != " " && $0 != "{" })
            // A counter never goes down: a negative or non-finite value (a hand edit, a torn file) is a reset.
            guard name.hasSuffix("_total"), let value = line.split(separator: " ").last.flatMap({ Double($0) }),
                  value.isFinite, value >= 0 else { continue }
            values[name] = value
        }
        return values
    }

    private func previousLastSuccess() -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("callvault_last_success_timestamp_seconds") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}
