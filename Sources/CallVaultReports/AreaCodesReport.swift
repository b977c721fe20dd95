import CallVaultCore
import CallVaultStore
import Foundation

/// `report area-codes`: calls by caller area code and region/place (country for non-NANP), with answer rate.
public enum AreaCodesReport {
    public static let columns = ["area_code", "region", "place", "country", "calls", "answered", "answer_rate", "unique_callers"]

    public static func run(_ index: CallIndex, filter: ReportFilter) throws -> ReportTable {
        struct Key: Hashable { var area: String?, region: String?, place: String?, country: String? }
        var tallies: [Key: (calls: Int, answered: Int, callers: Set<String>)] = [:]
        try CallFacts.forEach(index, filter) { c in
            let key = c.caller == nil ? Key(area: nil, region: "(anonymous)", place: nil, country: nil)
                : Key(area: c.areaCode, region: c.region, place: c.place, country: c.country)
            tallies[key, default: (0, 0, [])].calls += 1
            if c.outcome == .answered { tallies[key]!.answered += 1 }
            if let caller = c.caller { tallies[key]!.callers.insert(caller) }
        }
        var table = ReportTable(title: "Calls by caller area code", columns: columns, notes: filter.notes)
        // Most calls first; ties by area code, then region, place and country, so the order never
        // depends on the dictionary's (one code can have several places).
        func order(_ k: Key) -> (String, String, String, String) { (k.area ?? "~", k.region ?? "", k.place ?? "", k.country ?? "") }
        for (k, t) in tallies.sorted(by: { $0.value.calls != $1.value.calls ? $0.value.calls > $1.value.calls : order($0.key) < order($1.key) }) {
            let country = k.country.map { PhoneGeography.countryName($0) ?? $0 }
            table.rows.append([.optional(k.area), .optional(k.region), .optional(k.place), .optional(country),
                               .int(t.calls), .int(t.answered), .rate(t.answered, t.calls), .int(t.callers.count)])
        }
        return table
    }
}
