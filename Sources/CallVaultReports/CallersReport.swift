import CallVaultCore
import CallVaultStore
import Foundation

/// `report callers`: unique vs repeat callers per campaign and overall, first-time vs returning, top repeat callers.
public enum CallersReport {
    public static let columns = ["scope", "calls", "unique_callers", "repeat_callers", "first_time_callers", "returning_callers",
                                 "anonymous_calls"]
    public static let topColumns = ["caller", "calls", "answered", "first_call", "last_call", "campaigns"]

    public static func run(_ index: CallIndex, filter: ReportFilter, top: Int = 10) throws -> (ReportTable, ReportTable) {
        let first = try SummaryReport.firstCalls(index)
        struct Scope { var calls = 0, anonymous = 0; var perCaller: [String: Int] = [:]; var firstTime = Set<String>() }
        var scopes: [String: Scope] = [:]
        struct Caller { var calls = 0, answered = 0; var first = "", last = ""; var campaigns = Set<String>() }
        var callers: [String: Caller] = [:]
        try CallFacts.forEach(index, filter) { c in
            for key in ["(all)", c.campaign ?? "(unassigned)"] {
                var s = scopes[key, default: Scope()]
                s.calls += 1
                if let caller = c.caller {
                    s.perCaller[caller, default: 0] += 1
                    if first[caller] == c.id { s.firstTime.insert(caller) }
                } else { s.anonymous += 1 }
                scopes[key] = s
            }
            if let caller = c.caller {
                var k = callers[caller, default: Caller()]
                k.calls += 1
                if c.outcome == "answered" { k.answered += 1 }
                if k.first.isEmpty { k.first = c.startedAt }
                k.last = c.startedAt
                k.campaigns.insert(c.campaign ?? "(unassigned)")
                callers[caller] = k
            }
        }
        var table = ReportTable(title: "Callers: unique, repeat, first-time", columns: columns, notes: filter.notes)
        for key in scopes.keys.sorted(by: { $0 == "(all)" ? true : $1 == "(all)" ? false : $0 < $1 }) {
            let s = scopes[key]!
            table.rows.append([.text(key), .int(s.calls), .int(s.perCaller.count), .int(s.perCaller.values.filter { $0 > 1 }.count),
                               .int(s.firstTime.count), .int(s.perCaller.count - s.firstTime.count), .int(s.anonymous)])
        }
        table.notes.append("repeat: called more than once in the period; first-time: first call ever in the index falls in the period; returning: the others")
        var topTable = ReportTable(title: "Top repeat callers", columns: topColumns)
        for (caller, k) in callers.filter({ $0.value.calls > 1 }).sorted(by: { $0.value.calls != $1.value.calls ? $0.value.calls > $1.value.calls : $0.key < $1.key }).prefix(top) {
            topTable.rows.append([.text(caller), .int(k.calls), .int(k.answered), .text(k.first), .text(k.last),
                                  .text(k.campaigns.sorted().joined(separator: " "))])
        }
        return (table, topTable)
    }
}
