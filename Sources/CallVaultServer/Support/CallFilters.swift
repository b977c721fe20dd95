import CallVaultCore
import CallVaultStore
import Foundation

/// The `query` filters read from a query string (the calls page, its downloads and `/api/calls`):
/// the same names as the CLI's options, `campaign` repeatable, plus `page` and `limit`.
struct CallFilters {
    var query = CallQuery()
    var page = 1
    var pageSize = 50
    /// `tz`, else `[serve] time_zone`: dates without a zone are read in it, the list shows local times in it.
    var timeZone: TimeZone
    var form: FormData

    struct Invalid: Error, CustomStringConvertible { let description: String }

    static let names = ["campaign", "source", "tracking_number", "caller", "caller_name", "outcome", "since", "until", "tz", "min_duration",
                        "unassigned", "redacted", "sort", "order", "page", "limit"]

    init(_ form: FormData, countryCode: String, defaultZone: TimeZone, now: Date, maxLimit: Int = 1000) throws {
        self.form = form
        self.timeZone = defaultZone
        for (name, _) in form.pairs where !Self.names.contains(name) && name != "csrf" {
            throw Invalid(description: "unknown filter \(name.debugDescription) (known: \(Self.names.joined(separator: ", ")))")
        }
        if let tz = form["tz"] {
            guard let zone = TimeZone(identifier: tz) else { throw Invalid(description: "tz: unknown time zone \(tz.debugDescription)") }
            timeZone = zone
        }
        query.campaigns = form.all("campaign")
        query.source = form["source"]
        func number(_ name: String) throws -> String? {
            guard let text = form[name] else { return nil }
            switch NumberReading(countryCode: countryCode).read(text) {
            case .e164(let n): return n
            case .unparseable(let raw): return raw
            case .withheld: throw Invalid(description: "\(name): \(text.debugDescription) is not a number")
            }
        }
        query.trackingNumber = try number("tracking_number")
        query.caller = try number("caller")
        // Part of the caller's name in the directory or the switch's caller_name (`query --caller-name`);
        // a blank field is no filter, as every other field of the form.
        query.callerName = form["caller_name"]
        if let o = form["outcome"] {
            guard let outcome = Outcome(rawValue: o) else { throw Invalid(description: "outcome must be answered, missed or abandoned") }
            query.outcome = outcome
        }
        if let since = form["since"] {
            guard let d = Timestamp.parseBoundary(since, timeZone: timeZone, now: now) else {
                throw Invalid(description: "since: \(since.debugDescription) is not a date or a time")
            }
            query.since = d
        }
        if let until = form["until"] {
            guard var d = Timestamp.parseBoundary(until, timeZone: timeZone, now: now) else {
                throw Invalid(description: "until: \(until.debugDescription) is not a date or a time")
            }
            let t = until.trimmingCharacters(in: .whitespaces).lowercased()
            if t.count == 10 || t == "today" || t == "yesterday" {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = timeZone
                d = calendar.date(byAdding: .day, value: 1, to: d)!
            }
            query.until = d
        }
        if let m = form["min_duration"] {
            guard let seconds = Double(m), seconds >= 0, seconds < 1e7 else { throw Invalid(description: "min_duration must be seconds, 0 or more") }
            query.minDurationMs = Int(seconds * 1000)
        }
        if let u = form["unassigned"] { query.unassigned = ["1", "true", "on", "yes"].contains(u.lowercased()) }
        if let r = form["redacted"] { query.redacted = ["1", "true", "on", "yes"].contains(r.lowercased()) }
        if let s = form["sort"] {
            guard let sort = CallQuery.Sort(rawValue: s) else { throw Invalid(description: "sort must be started_at or duration") }
            query.sort = sort
        }
        if let o = form["order"] { query.ascending = o == "asc" }
        if let p = form["page"] {
            guard let n = Int(p), n >= 1, n <= 1_000_000 else { throw Invalid(description: "page must be 1 or more") }
            page = n
        }
        if let l = form["limit"] {
            guard let n = Int(l), (1...maxLimit).contains(n) else { throw Invalid(description: "limit must be 1 to \(maxLimit)") }
            pageSize = n
        }
        query.limit = pageSize
        query.offset = (page - 1) * pageSize
    }

    /// The query string without `page` (for page links and downloads).
    func encoded(dropping: Set<String> = ["page", "csrf"]) -> String {
        FormData.encode(form.pairs.filter { !dropping.contains($0.name) && !$0.value.isEmpty }.map { ($0.name, $0.value) })
    }
}
