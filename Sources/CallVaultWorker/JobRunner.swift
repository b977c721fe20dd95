import CallVaultCore
import CallVaultSettings
import Foundation
import Logging

/// Runs a ``JobFile``'s typed steps in order through a ``JobStepExecutor`` and decides the job's
/// exit status: the worst of its steps (1 fatal > 2 configuration > 4 verify > 3 quarantined > 0).
/// A step that fails with anything but 0 or 3 stops the job unless `continueOnError`.
///
/// The runner knows the order, the statuses and what is logged and measured; how a step runs is
/// the executor's (the CLI starts its own subcommands), so no command line is written here.
public struct JobRunner: Sendable {
    public let job: JobFile
    public let executor: any JobStepExecutor
    public let logger: Logger
    public var continueOnError = false

    public init(job: JobFile, executor: any JobStepExecutor, logger: Logger) {
        self.job = job
        self.executor = executor
        self.logger = logger
    }

    public struct StepResult: Sendable, Codable {
        public var name: String
        public var command: String
        public var exitCode: Int32
        public var seconds: Double
        /// The step's JSON output when it printed one (counts), else nil.
        public var output: String?
        public var skipped: Bool

        enum CodingKeys: String, CodingKey {
            case name, command, exitCode = "exit_code", seconds, output, skipped
        }
    }

    public struct Result: Sendable, Codable {
        public var job: String
        public var exitCode: Int32
        public var steps: [StepResult]
        /// The ingest step's summary, for metrics.
        public var ingest: RunSummary?

        enum CodingKeys: String, CodingKey { case job, exitCode = "exit_code", steps, ingest }
    }

    static func severity(_ code: Int32) -> Int {
        switch code {
        case 0: 0
        case 3: 1
        case 4: 2
        case 2: 3
        case 1: 4
        default: 5
        }
    }

    /// Runs the steps; `today` (YYYY-MM-DD, UTC) dates the report files.
    public func run(today: String) async -> Result {
        var result = Result(job: job.name, exitCode: 0, steps: [])
        var stopped = false
        for step in job.steps {
            if stopped {
                result.steps.append(StepResult(name: step.name, command: step.command, exitCode: 0, seconds: 0, output: nil, skipped: true))
                logger.warning("step skipped", metadata: ["job": "\(job.name)", "step": "\(step.name)", "reason": "an earlier step failed"])
                continue
            }
            let start = Date()
            let (code, stdout) = await executor.execute(step.kind, today: today)
            let seconds = Date().timeIntervalSince(start)
            let json = stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") ? stdout : nil
            result.steps.append(StepResult(name: step.name, command: step.command, exitCode: code, seconds: seconds, output: json, skipped: false))
            if case .ingest = step.kind, let json, let summary = try? JSONDecoder().decode(RunSummary.self, from: Data(json.utf8)) {
                result.ingest = summary
            }
            var metadata: Logger.Metadata = ["job": "\(job.name)", "step": "\(step.name)", "exit": "\(code)",
                                             "seconds": "\(String(format: "%.2f", seconds))"]
            if let json {
                metadata["result"] = "\(Self.compact(json))"
            } else if let text = Self.oneLine(stdout) {
                // A step that prints a line of text (the imports, relink) says its counts there.
                metadata["output"] = "\(text)"
            }
            if code == 0 || code == 3 {
                logger.info("step finished", metadata: metadata)
            } else {
                logger.error("step failed", metadata: metadata)
                if !continueOnError { stopped = true }
            }
            if Self.severity(code) > Self.severity(result.exitCode) { result.exitCode = code }
        }
        return result
    }

    /// A text result's lines joined with "; ", or nil when it printed nothing.
    static func oneLine(_ text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    static func compact(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return "" }
        return object.keys.sorted().compactMap { key in
            let v = object[key]!
            if v is [Any] || v is [String: Any] { return nil }
            return "\(key)=\(v)"
        }.joined(separator: " ")
    }
}
