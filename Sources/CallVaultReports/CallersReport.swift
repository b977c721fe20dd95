import CallVaultCore
import CallVaultStore
import Foundation

/// `report callers`: unique vs repeat callers per campaign and overall, first-time vs returning, top repeat callers
/// with their names and addresses from the caller directory (joined by number; empty when not there).
public enum CallersReport {
    public static let columns = ["scope", "calls", "unique_callers", "repeat_callers", "first_time_callers", "returning_callers",
                                 "anonymous_calls"]
    public static let topColumns = ["caller", "calls", "answered", "first_call", "last_call", "campaigns"] + directoryColumns
    /// The directory's fields printed beside each top caller.
    public static let directoryColumns = ["name", "company", "address", "city", "region", "postal_code", "country"]

    struct Scope {
        var calls = 0, anonymous = 0
        var perCaller: [String: Int] = [:]
        var firstTime = Set<String>()
        /// Unique, repeat and first-time callers counted from the aggregates (``perCaller`` and
        /// ``firstTime`` stay empty then).
        var uniqueCounted = 0, repeatCounted = 0, firstTimeCounted = 0
        var unique: Int { perCaller.count + uniqueCounted }
        var repeated: Int { perCaller.values.filter { $0 > 1 }.count + repeatCounted }
        var firstTimers: Int { firstTime.count + firstTimeCounted }
    }
    struct Caller { var calls = 0, answered = 0; var first = "", last = ""; var campaigns = Set<String>() }

    public static func run(_ index: CallIndex, filter: ReportFilter, top: Int = 10) throws -> (ReportTable, ReportTable) {
        try run(.sqlite(index), filter: filter, top: top)
    }

    /// From SQLite's aggregates where they serve; otherwise, and on every other backend, from every matching call.
    public static func run(_ index: ReportIndex, filter: ReportFilter, top: Int = 10) throws -> (ReportTable, ReportTable) {
        if let store = index.aggregates, let source = try AggregateSource.make(store, filter, callers: true),
           let dimensions = try DimensionSource.make(store, filter) {
            return try aggregated(index, store, source, dimensions, filter: filter, top: top)
        }
        let first = try index.firstCalls(among: filter)
        var scopes: [String: Scope] = [:]
        var callers: [String: Caller] = [:]
        try index.forEachCall(filter) { c in
            // Mutate in place (`[key, default:]`): copying a scope out would copy its caller table per call.
            for key in ["(all)", c.campaign ?? "(unassigned)"] {
                scopes[key, default: Scope()].calls += 1
                if let caller = c.caller {
                    scopes[key, default: Scope()].perCaller[caller, default: 0] += 1
                    if first[caller] == c.id { scopes[key, default: Scope()].firstTime.insert(caller) }
                } else { scopes[key, default: Scope()].anonymous += 1 }
            }
            if let caller = c.caller {
                callers[caller, default: Caller()].calls += 1
                if c.outcome == .answered { callers[caller, default: Caller()].answered += 1 }
                if callers[caller]!.first.isEmpty || c.startedAt < callers[caller]!.first { callers[caller]!.first = c.startedAt }
                if c.startedAt > callers[caller]!.last { callers[caller]!.last = c.startedAt }
                callers[caller]!.campaigns.insert(c.campaign ?? "(unassigned)")
            }
        }
        let directory = try index.directoryEntries(for: topCallers(callers, top).map(\.key))
        return tables(scopes, callers, directory: directory, filter: filter, top: top)
    }

    /// From the aggregates: calls per campaign from the per-day number tables, callers (and so
    /// the anonymous calls, the rest) from ``CallerPacks`` (``CallerTallies``), first-time callers
    /// from `report_first_calls`; the first and last call of the top callers only, one seek each
    /// in the caller index.
    static func aggregated(_ reportIndex: ReportIndex, _ index: any ReportAggregateStore, _ source: AggregateSource, _ dimensions: DimensionSource,
                           filter: ReportFilter, top: Int) throws -> (ReportTable, ReportTable) {
        var scopes: [String: Scope] = [:]
        var callers: [String: Caller] = [:]
        // The sums and the first calls read on a thread of their own while the caller pass runs.
        let ((numberSums, firstCalls), tallies) = try PartThread.both(
            on: { try index.readAggregates { db in (try dimensions.numberSums(db), try source.firstCalls(db)) } },
            here: { try index.readAggregates { db in try CallerTallies.count(db, index, source, filter) } })
        for (k, sums) in numberSums {
            for key in ["(all)", k.campaign ?? "(unassigned)"] {
                scopes[key, default: Scope()].calls += sums.calls
                scopes[key, default: Scope()].anonymous += sums.calls
            }
        }
        for f in firstCalls {
            for key in ["(all)", f.campaign ?? "(unassigned)"] { scopes[key, default: Scope()].firstTimeCounted += 1 }
        }
        try index.readAggregates { db in
            for (name, scope) in tallies.scopes {
                scopes[name, default: Scope()].uniqueCounted = scope.unique
                scopes[name, default: Scope()].repeatCounted = scope.repeated
                scopes[name, default: Scope()].anonymous -= scope.calls
            }
            callers = try tallies.topCandidates(db, top)
            let (clause, arguments) = filter.query.conditions(db.dialect)
            // min and max apart: SQLite answers each with one seek in calls_caller (caller,
            // started_at), where both in one query walk the caller's calls (100,000 for a robocaller).
            // Up to a hundred top callers to a statement (SQLite compounds at most 500 SELECTs;
            // fewer when the filter binds many values: SQLite's default limit is 32,766 values,
            // PostgreSQL's 65,535): a round trip each was most of the report's tail on PostgreSQL.
            let condition = clause.isEmpty ? "WHERE" : clause + " AND"
            func end(_ aggregate: String) -> String {
                "(SELECT \(aggregate)(started_at) FROM calls \(db.dialect.indexedBy("calls_caller")) \(condition) caller = ?)"
            }
            let leaders = topCallers(callers, top).map(\.key)
            let perStatement = max(1, min(100, 30_000 / (2 * (arguments.count + 1))))
            for start in stride(from: 0, to: leaders.count, by: perStatement) {
                let chunk = start..<min(leaders.count, start + perStatement)
                let sql = chunk.map { "SELECT \($0), coalesce(\(end("min")), ''), coalesce(\(end("max")), '')" }.joined(separator: " UNION ALL ")
                try db.forEachRow(sql, leaders[chunk].flatMap { arguments + [.text($0)] + arguments + [.text($0)] }) { row in
                    let caller = leaders[try row.int(0)]
                    callers[caller]!.first = try row.text(1)
                    callers[caller]!.last = try row.text(2)
                }
            }
        }
        let directory = try reportIndex.directoryEntries(for: topCallers(callers, top).map(\.key))
        return tables(scopes, callers, directory: directory, filter: filter, top: top)
    }

    static func topCallers(_ callers: [String: Caller], _ top: Int) -> ArraySlice<(key: String, value: Caller)> {
        callers.filter({ $0.value.calls > 1 }).sorted(by: { $0.value.calls != $1.value.calls ? $0.value.calls > $1.value.calls : $0.key < $1.key }).prefix(top)
    }

    static func tables(_ scopes: [String: Scope], _ callers: [String: Caller], directory: [String: CallerDirectoryEntry],
                       filter: ReportFilter, top: Int) -> (ReportTable, ReportTable) {
        var table = ReportTable(title: "Callers: unique, repeat, first-time", columns: columns, notes: filter.notes)
        for key in scopes.keys.sorted(by: { $0 == "(all)" ? true : $1 == "(all)" ? false : $0 < $1 }) {
            let s = scopes[key]!
            table.rows.append([.text(key), .int(s.calls), .int(s.unique), .int(s.repeated),
                               .int(s.firstTimers), .int(s.unique - s.firstTimers), .int(s.anonymous)])
        }
        table.notes.append("repeat: called more than once in the period; first-time: first call ever in the index falls in the period; returning: the others")
        var topTable = ReportTable(title: "Top repeat callers", columns: topColumns)
        for (caller, k) in topCallers(callers, top) {
            let entry = directory[caller]
            let fields = Dictionary(uniqueKeysWithValues: (entry?.fields ?? []).map { ($0.column, $0.value) })
            topTable.rows.append([.text(caller), .int(k.calls), .int(k.answered), .text(k.first), .text(k.last),
                                  .text(k.campaigns.sorted().joined(separator: " "))]
                                 + directoryColumns.map { column in fields[column].flatMap { $0 }.map(ReportTable.Value.text) ?? .null })
        }
        return (table, topTable)
    }
}
