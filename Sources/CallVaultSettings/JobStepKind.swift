/// What one `[[steps]]` table of a job file does, with its options, typed: the job file says
/// *what* to run; how (this binary's subcommands, or in-process) is the runner's business, so no
/// command line is written here.
///
/// ```swift
/// switch step.kind {
/// case .ingest(let workers): …           // command = "ingest", workers = 2
/// case .report(let report): report.outputPath(today: "2026-11-28")
/// …
/// }
/// ```
public enum JobStepKind: Sendable, Equatable {
    /// `ingest`: archive everything ready in the spool, then stop (`run --once`).
    case ingest(workers: Int?)
    /// `import-numbers`: replace the tracking-number registry with a CSV file (absolute path).
    case importNumbers(file: String)
    /// `import-directory`: replace the caller directory with a CSV file (absolute path).
    case importDirectory(file: String)
    /// `import-sessions`: add or update the website's number-pool sessions (CSV or JSON Lines,
    /// absolute path) and re-link the calls they concern.
    case importSessions(file: String)
    /// `import-callbacks`: add or update the website's call-back requests (CSV or JSON Lines,
    /// absolute path) and re-link the outbound calls they concern.
    case importCallbacks(file: String)
    /// `relink`: re-attribute every call from the current registry.
    case relink
    /// `retention`: apply the retention policy (or only list what is due).
    case retention(dryRun: Bool)
    /// `verify`: re-hash the archive (all files, or a random sample).
    case verify(sample: Int?)
    /// `report`: one report written to a dated file.
    case report(JobReport)
}

/// A `report` step: which report, its options, and where its dated file goes.
public struct JobReport: Sendable, Equatable {
    /// summary, missed, callers, area-codes, hours or dead-air.
    public var report: String
    public var by: String?
    public var timeZone: String?
    public var campaign: String?
    public var unreturned: Bool
    /// table, csv, json or html.
    public var format: String
    public var sinceDays: Int?
    /// The folder of the report files (absolute).
    public var outputDir: String

    public init(report: String, by: String? = nil, timeZone: String? = nil, campaign: String? = nil, unreturned: Bool = false,
                format: String = "html", sinceDays: Int? = nil, outputDir: String) {
        self.report = report
        self.by = by
        self.timeZone = timeZone
        self.campaign = campaign
        self.unreturned = unreturned
        self.format = format
        self.sinceDays = sinceDays
        self.outputDir = outputDir
    }

    /// `OUTPUT_DIR/summary-by-day-2026-11-28.html`: the report, its grouping and the day of the run.
    public func outputPath(today: String) -> String {
        outputDir + "/" + report + (by.map { "-by-" + $0 } ?? "") + "-" + today + "." + format
    }
}
