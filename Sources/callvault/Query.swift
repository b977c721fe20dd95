import ArgumentParser
import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find calls by campaign, number, caller, outcome and time.",
        discussion: """
        Filters combine with AND; --campaign may repeat (any of them). --caller-name matches \
        part of a name, any case (ASCII letters), in the caller directory (`callvault directory`) \
        or the sidecar's caller_name. --redacted lists the calls that had something kept out of the \
        archive: DTMF key presses or spans the sidecar asked for silenced, or a card number replaced \
        in the sidecar (see the redactions, dtmf_tones_masked and redacted_fields fields). Times are ISO dates or \
        timestamps; a date without offset is midnight in --tz (default UTC), and a date given to \
        --until includes that whole day. Newest first by default.

        Examples:
          callvault query --campaign Search-Brand --since 2026-11-01 --until 2026-11-30
          callvault query --outcome missed --caller "(646) 555-0170" \\
              --format csv > missed.csv
          callvault query --unassigned --limit 0 --format json
          callvault query --caller-name "acme" --format json
          callvault query --redacted --since 2026-11-01 --format json
        """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Campaign name; repeat for several.") var campaign: [String] = []
    @Option(help: "Ad source (e.g. google).") var source: String?
    @Option(help: "The number dialed, any notation.") var trackingNumber: String?
    @Option(help: "The caller's number, any notation.") var caller: String?
    @Option(help: "Part of the caller's name (any case) in the caller directory or the switch's caller_name.") var callerName: String?
    @Option(help: "answered, missed or abandoned.") var outcome: Outcome?
    @Option(help: "Calls that started at or after T.") var since: String?
    @Option(help: "Calls that started before T (a date: before the end of that day).") var until: String?
    @Option(parsing: .unconditional, help: "Calls since midnight N days ago in --tz (0 = today), as reports take it.") var sinceDays: Int?
    @Option(help: "Time zone for dates without an offset, e.g. America/New_York.") var tz: String = "UTC"
    @Option(help: "Only calls lasting at least this many seconds.") var minDuration: Double?
    @Flag(help: "Only calls no registry row attributes.") var unassigned = false
    @Flag(help: "Only calls with a redaction (DTMF or requested spans silenced, a card number replaced in the sidecar).") var redacted = false
    @Option(help: "started_at or duration (descending).") var sort: String = "started_at"
    @Option(parsing: .unconditional, help: "At most N calls; 0 for no limit.") var limit: Int = 100
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (no limit) or more") }
        if let minDuration, !(minDuration >= 0 && minDuration <= 604_800) {
            throw ValidationError("--min-duration must be between 0 and 604800 seconds")
        }
        if let sinceDays, sinceDays < 0 || sinceDays > 100_000 { throw ValidationError("--since-days must be between 0 and 100000") }
        if let callerName, callerName.trimmedWhitespace.isEmpty { throw ValidationError("--caller-name must not be empty") }
        if sinceDays != nil && since != nil { throw ValidationError("give --since or --since-days, not both") }
        if CallQuery.Sort(rawValue: sort) == nil { throw ValidationError("--sort must be started_at or duration") }
        if TimeZone(identifier: tz) == nil { throw ValidationError("--tz: unknown time zone \(tz)") }
    }

    func run() throws {
        let config = try store.loadConfig()
        let numbers = config.numberReading
        let zone = TimeZone(identifier: tz)!
        var q = CallQuery()
        q.campaigns = campaign
        q.source = source
        q.trackingNumber = try trackingNumber.map { try NumberOption.read($0, with: numbers, option: "--tracking-number").value }
        q.caller = try caller.map { try NumberOption.read($0, with: numbers, option: "--caller").value }
        q.callerName = callerName
        q.outcome = outcome
        q.since = try since.map { try TimeBounds.start($0, zone: zone, option: "--since") }
        if let sinceDays {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            q.since = calendar.date(byAdding: .day, value: -sinceDays, to: calendar.startOfDay(for: Date()))
        }
        q.until = try until.map { try TimeBounds.end($0, zone: zone, option: "--until") }
        q.minDurationMs = minDuration.map { Int($0 * 1000) }
        q.unassigned = unassigned
        q.redacted = redacted
        q.sort = CallQuery.Sort(rawValue: sort)!
        q.limit = limit
        let (index, archive) = try store.openIndex(readOnly: true)
        let result = try q.run(index)
        let holds = format == .json ? try Holds(index: index).names(covering: result.records.map(\.id)) : [:]
        let directory = format == .json ? try CallerDirectory(index: index).entries(for: result.records.compactMap(\.caller)) : [:]
        try Listing.calls(result.records, archiveRoot: archive, holds: holds, directory: directory).print(as: format)
        if result.total > result.records.count {
            FileHandle.standardError.write(Data("callvault: showing \(result.records.count) of \(result.total) calls; use --limit 0 for all\n".utf8))
        }
    }
}

extension Outcome: ExpressibleByArgument {}
