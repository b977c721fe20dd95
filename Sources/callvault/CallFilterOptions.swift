import ArgumentParser
import CallVaultCore
import CallVaultStore
import Foundation

/// The `query` filters as an option group: `query` itself and the commands that select calls the
/// way it does (`export --bundle`). Numbers are read with the config's default_country_code.
struct CallFilterOptions: ParsableArguments {
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

    /// True when at least one filter is given.
    var given: Bool {
        !campaign.isEmpty || source != nil || trackingNumber != nil || caller != nil || callerName != nil || outcome != nil
            || since != nil || until != nil || sinceDays != nil || minDuration != nil || unassigned || redacted
    }

    func validate() throws {
        if let minDuration, !(minDuration >= 0 && minDuration <= 604_800) {
            throw ValidationError("--min-duration must be between 0 and 604800 seconds")
        }
        if let sinceDays, sinceDays < 0 || sinceDays > 100_000 { throw ValidationError("--since-days must be between 0 and 100000") }
        if let callerName, callerName.trimmedWhitespace.isEmpty { throw ValidationError("--caller-name must not be empty") }
        if sinceDays != nil && since != nil { throw ValidationError("give --since or --since-days, not both") }
        if TimeZone(identifier: tz) == nil { throw ValidationError("--tz: unknown time zone \(tz)") }
    }

    /// The query these filters make, without a limit.
    func query(numbers: NumberReading) throws -> CallQuery {
        let zone = TimeZone(identifier: tz) ?? TimeZone.current  // validate() refused an unknown zone
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
        q.sort = .startedAt
        q.ascending = true
        q.limit = 0
        return q
    }

    /// How the selection reads in a manifest and an audit entry.
    var summary: String {
        var parts: [String] = campaign.map { "campaign=\($0)" }
        for (name, value) in [("source", source), ("tracking_number", trackingNumber), ("caller", caller), ("caller_name", callerName),
                              ("outcome", outcome?.rawValue), ("since", since), ("until", until), ("since_days", sinceDays.map { "\($0)" }),
                              ("min_duration", minDuration.map { "\($0)" })] {
            if let value { parts.append("\(name)=\(value)") }
        }
        if unassigned { parts.append("unassigned") }
        if redacted { parts.append("redacted") }
        if since != nil || until != nil || sinceDays != nil { parts.append("tz=\(tz)") }
        return "query " + parts.joined(separator: " ")
    }
}
