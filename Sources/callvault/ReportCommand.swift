import ArgumentParser
import CallVaultCore
import CallVaultFiles
import CallVaultPostgres
import CallVaultReports
import CallVaultStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "What marketing and QA read each morning: summaries, missed calls, callers, area codes, hours, before/after, dead air, web call-backs.",
        discussion: """
        Every report takes --since/--until (ISO dates or timestamps; a bare --until date includes \
        that day), --campaign (repeatable), --tz ZONE (hour and day buckets in that zone; default \
        UTC) and --format table|csv|json|html. html writes one self-contained file (inline SVG: \
        daily trend, hour × weekday heat map, outcome split, top area codes, calls and answer rate \
        by source / medium; no network) to --output or stdout.

        Examples:
          callvault report summary --by day --since 2026-11-01 --tz America/New_York
          callvault report missed --unreturned --format csv > call-back.csv
          callvault report summary --by campaign --format html \\
              --output reports/2026-11-28.html
          callvault report compare --campaign Radio-KFOG \\
              --before 2026-10-01..2026-10-31 --after 2026-11-01..2026-11-30
        """,
        subcommands: [Summary.self, Missed.self, Callers.self, AreaCodes.self, Hours.self, Compare.self, DeadAir.self, Callbacks.self])

    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @Option(help: "Calls that started at or after T.") var since: String?
        @Option(help: "Calls that started before T (a date: through that day).") var until: String?
        @Option(parsing: .unconditional, help: "Calls since midnight N days ago in --tz, up to now (for nightly jobs: 1 = yesterday and today).") var sinceDays: Int?
        @Option(help: "Campaign; repeat for several.") var campaign: [String] = []
        @Option(help: "Time zone for hour and day buckets, e.g. America/New_York.") var tz: String = "UTC"
        @Option(help: "table, csv, json or html.") var format: ReportFormat = .table
        @Option(help: "Write to this file (atomically) instead of stdout.") var output: String?
        @Flag(help: "Stream every matching call instead of reading the report aggregates (same numbers, slower).") var exactScan = false

        func validate() throws {
            if TimeZone(identifier: tz) == nil { throw ValidationError("--tz: unknown time zone \(tz)") }
            if let sinceDays, sinceDays < 0 || sinceDays > 100_000 { throw ValidationError("--since-days must be between 0 and 100000") }
        }

        func filter() throws -> ReportFilter {
            var f = ReportFilter()
            f.timeZone = TimeZone(identifier: tz)!
            f.since = try since.map { try TimeBounds.start($0, zone: f.timeZone, option: "--since") }
            f.until = try until.map { try TimeBounds.end($0, zone: f.timeZone, option: "--until") }
            f.campaigns = campaign
            f.exactScan = exactScan
            if let sinceDays {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = f.timeZone
                f.since = calendar.date(byAdding: .day, value: -sinceDays, to: calendar.startOfDay(for: Date()))
            }
            return f
        }

        /// Runs `make` on the index the options name and prints (or writes) its tables: a SQLite
        /// index (its aggregates where they serve) or a PostgreSQL one (every report scans, on a
        /// thread of its own: the reads wait on the client). `make` gets the filter the options give.
        func report(_ make: @escaping @Sendable (ReportIndex, ReportFilter) throws -> [ReportTable]) async throws {
            let f = try filter()
            let r = try store.resolved()
            let format = format
            let text: String
            if let url = try PostgresBackend.url(r.database) {
                text = try await PostgresBackend.withIndex(url, config: r.config) { index in
                    try await PostgresOwnThread.run {
                        let reports = ReportIndex.scanned(PostgresReportSource(index: index))
                        return try Self.render(try make(reports, f), format: format, index: reports, filter: f)
                    }
                }
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                text = try Self.render(try make(.sqlite(index), f), format: format, index: .sqlite(index), filter: f)
            }
            if let output {
                try writeAtomically(text + "\n", to: output)
                FileHandle.standardError.write(Data("callvault: wrote \(output)\n".utf8))
            } else {
                print(text)
            }
        }

        static func render(_ tables: [ReportTable], format: ReportFormat, index: ReportIndex, filter: ReportFilter) throws -> String {
            switch format {
            case .table: tables.map { $0.text() }.joined(separator: "\n\n")
            case .csv: tables.map { $0.csv() }.joined(separator: "\n\n")
            case .json: tables.count == 1 ? try tables[0].json() : "[" + (try tables.map { try $0.json() }).joined(separator: ",\n") + "]"
            case .html: HTMLReport.render(tables: tables, charts: try HTMLReport.charts(index, filter: filter), generatedAt: Date(),
                                          period: filter.periodDescription)
            }
        }
    }

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable, Sendable { case table, csv, json, html }

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "summary",
            abstract: "Calls, outcomes, answer rate, unique and first-time callers, talk time, dead air, per bucket.",
            discussion: """
            One row per hour, day, week (starting Monday), campaign, source or tracking number, and a TOTAL row. \
            first_time_callers counts callers whose first call in the whole index falls in the bucket; \
            dead_air_calls the answered calls with an inner silence over 10 s (what report dead-air lists).

            By the calls' web attribution: utm_source, utm_medium, utm_campaign, keyword, landing_page \
            (from the pool session or call-back request; "(none)" for calls without one) or \
            attribution_method (number, pool-session, pool-fallback, callback, none). These read every \
            matching call, as --exact-scan does.

            Examples:
              callvault report summary --by day --since 7d --tz America/New_York
              callvault report summary --by campaign --since 2026-11-01 --format csv
              callvault report summary --by keyword --since 2026-11-01
            """)
        @OptionGroup var common: Common
        @Option(help: "hour, day, week, campaign, source, tracking-number, utm_source, utm_medium, utm_campaign, keyword, landing_page or attribution_method.") var by: String = "day"
        func validate() throws {
            if SummaryReport.Grouping(rawValue: by) == nil {
                throw ValidationError("--by must be one of \(SummaryReport.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        func run() async throws {
            guard let grouping = SummaryReport.Grouping(rawValue: by) else { throw ValidationError("--by: unknown grouping \(by)") }
            try await common.report { index, f in [try SummaryReport.run(index, filter: f, by: grouping)] }
        }
    }

    struct Missed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "missed",
            abstract: "Missed and abandoned calls, and whether the caller got through later.",
            discussion: """
            A caller got through later when an answered call from the same number follows the missed one. \
            --unreturned keeps only the callers who never did: the list to call back. The oldest first, at most \
            --limit rows (1000 unless told; 0 for all): when there are more, a note (and a line on stderr) says \
            how many.

            Examples:
              callvault report missed --since yesterday --tz Europe/London
              callvault report missed --unreturned --format csv > call-back.csv
              callvault report missed --since 2025-06-01 --until 2025-07-01 --limit 0
            """)
        @OptionGroup var common: Common
        @Flag(help: "Only callers who never got through afterwards: the call-back list.") var unreturned = false
        @Option(help: "At most this many calls, the oldest first (0: all).") var limit: Int = 1000
        func validate() throws {
            if limit < 0 { throw ValidationError("--limit must be 0 or more") }
        }
        func run() async throws {
            let (unreturned, limit) = (unreturned, limit)
            try await common.report { index, f in
                let table = try MissedReport.run(index, filter: f, unreturnedOnly: unreturned, limit: limit)
                if let note = table.notes.first(where: { $0.hasPrefix("showing the first") }) {
                    FileHandle.standardError.write(Data("callvault: \(note)\n".utf8))
                }
                return [table]
            }
        }
    }

    struct Callers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "callers",
            abstract: "Unique vs repeat callers per campaign and overall; first-time vs returning; top repeat callers.",
            discussion: """
            A repeat caller called more than once in the period; a first-time caller's first call in the whole index \
            is in the period, a returning caller had called before it.

            Examples:
              callvault report callers --since 30d
              callvault report callers --top 25 --format json
            """)
        @OptionGroup var common: Common
        @Option(parsing: .unconditional, help: "How many top repeat callers to list.") var top: Int = 10
        func validate() throws {
            if top < 0 { throw ValidationError("--top must be 0 or more") }
        }
        func run() async throws {
            let top = top
            try await common.report { index, f in
                let (table, topTable) = try CallersReport.run(index, filter: f, top: top)
                return [table, topTable]
            }
        }
    }

    struct AreaCodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "area-codes",
            abstract: "Calls by caller area code and region/place (country outside NANP), with answer rate.",
            discussion: """
            Columns: calls, answered, answer_rate, unique_callers, and dead_air_calls (answered calls with an \
            inner silence over 10 s).

            Examples:
              callvault report area-codes --since 2026-11-01
              callvault report area-codes --campaign Radio-KFOG --format csv
            """)
        @OptionGroup var common: Common
        func run() async throws {
            try await common.report { index, f in [try AreaCodesReport.run(index, filter: f)] }
        }
    }

    struct Hours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hours",
            abstract: "When calls come: hour of day × day of week.",
            discussion: """
            Hours and weekdays are local to --tz: staff a call centre by the caller's clock, not the server's.

            Examples:
              callvault report hours --since 30d --tz America/Chicago
              callvault report hours --format html --output hours.html
            """)
        @OptionGroup var common: Common
        func run() async throws {
            try await common.report { index, f in [try HoursReport.run(index, filter: f)] }
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "A campaign or keyword before and after a change: calls and answered per day, unique callers, answer rate.",
            discussion: """
            Per-day figures make periods of different lengths comparable; each row shows the absolute and relative change. \
            --keyword compares the calls whose attribution has that keyword (from the pool session or \
            call-back request); with --campaign too, both must match.

            Examples:
              callvault report compare --campaign Radio-KFOG \\
                  --before 2026-10-01..2026-10-31 --after 2026-11-01..2026-11-30
              callvault report compare --keyword "emergency plumber" \\
                  --before 2026-10-01..2026-10-31 --after 2026-11-01..2026-11-30
            """)
        @OptionGroup var common: Common
        @Option(help: "FROM..TO (dates: TO included).") var before: String
        @Option(help: "FROM..TO (dates: TO included).") var after: String
        @Option(help: "Keyword of the calls' attribution; repeat for several.") var keyword: [String] = []
        func validate() throws {
            if common.campaign.isEmpty && keyword.isEmpty { throw ValidationError("compare needs --campaign or --keyword") }
        }
        func run() async throws {
            let zone = try common.filter().timeZone
            func period(_ text: String, _ option: String) throws -> CompareReport.Period {
                do { return try CompareReport.Period.parse(text, timeZone: zone, now: Date()) } catch let e as CompareReport.Period.ParseError {
                    throw ValidationError(e.message(for: option))
                }
            }
            let (before, after, keywords) = (try period(before, "--before"), try period(after, "--after"), keyword)
            try await common.report { index, f in
                [try CompareReport.run(index, filter: f, before: before, after: after, keywords: keywords)]
            }
        }
    }

    struct DeadAir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-air",
            abstract: "Answered calls with a long inner silence, for QA review.",
            discussion: """
            Inner silences only: leading and trailing silence (ringing, hold before hang-up) do not count.

            Examples:
              callvault report dead-air --since 7d
              callvault report dead-air --threshold 20 --format csv
            """)
        @OptionGroup var common: Common
        @Option(parsing: .unconditional, help: "Seconds of inner silence that count as dead air.") var threshold: Double = 10
        func validate() throws {
            if !(threshold >= 0 && threshold <= 86_400) { throw ValidationError("--threshold must be between 0 and 86400 seconds") }
        }
        func run() async throws {
            let thresholdMs = Int(threshold * 1000)
            try await common.report { index, f in [try DeadAirReport.run(index, filter: f, thresholdMs: thresholdMs)] }
        }
    }

    struct Callbacks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "callbacks",
            abstract: "Web call-back requests: how many were called back and how fast, and how many answered.",
            discussion: """
            One row per day of the request (in --tz) and a TOTAL row: requests, called_back and \
            callback_rate, the time from request to the first call-back (nearest-rank median and p90, \
            seconds) and answered (requests with an answered call-back). --since/--until select \
            requests by requested_at, --campaign by their utm_campaign. Requests come from `callvault \
            web import-callbacks`; outbound calls are linked to them by callback_request_id, or by \
            number within callback_window_minutes.

            Example:
              callvault report callbacks --since 2026-11-01 --tz America/New_York
            """)
        @OptionGroup var common: Common
        func run() async throws {
            try await common.report { index, f in [try CallbacksReport.run(index, filter: f)] }
        }
    }
}

/// Writes a text file through a temporary name, fsync and rename.
func writeAtomically(_ text: String, to path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
}
