import CallVaultCore
import CallVaultStore
import GRDB

/// The small key tables of the dimension aggregates, read once per report: what a number key
/// and an area key stand for, and the largest caller id (sizes ``CallerBits`` and per-caller arrays).
struct ReportKeys {
    /// A tracking number as calls carry it, with the campaign, source and medium it was linked to.
    struct NumberKey: Hashable { var campaign: String?; var trackingNumber: String; var source: String?; var medium: String? }
    /// The area-code report's key: anonymous calls are region `(anonymous)`, the rest nil.
    struct AreaKey: Hashable { var area: String?, region: String?, place: String?, country: String? }

    private(set) var numbers: [Int: NumberKey] = [:]
    private(set) var areas: [Int: AreaKey] = [:]
    private(set) var maxCallerId = 0

    static func read(_ db: Database) throws -> ReportKeys {
        var keys = ReportKeys()
        let numbers = try Row.fetchCursor(db, sql: "SELECT id, campaign, tracking_number, source, medium FROM report_number_keys")
        while let r = try numbers.next() {
            let campaign: String = r[1]
            keys.numbers[r[0]] = NumberKey(campaign: campaign.isEmpty ? nil : campaign, trackingNumber: r[2],
                                           source: DimensionAggregates.decode(r[3]), medium: DimensionAggregates.decode(r[4]))
        }
        keys.maxCallerId = try largestCallerId(db)
        let areas = try Row.fetchCursor(db, sql: "SELECT id, area_code, region, place, country FROM report_area_keys")
        while let r = try areas.next() {
            keys.areas[r[0]] = AreaKey(area: DimensionAggregates.decode(r[1]), region: DimensionAggregates.decode(r[2]),
                                       place: DimensionAggregates.decode(r[3]), country: DimensionAggregates.decode(r[4]))
        }
        return keys
    }

    /// The largest caller id (0 when there is none): sizes the per-caller buffers of a report, read
    /// in the transaction that reads the entries (so no entry names a larger one).
    static func largestCallerId(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT ifnull(max(id), 0) FROM report_caller_ids") ?? 0
    }

    /// A value per number key id as an array (index = id; ids are small and dense), for the
    /// per-call loops: `fallback` where a key has no entry.
    func perNumber<T>(_ fallback: T, _ value: (NumberKey) -> T) -> [T] {
        var out = Array(repeating: fallback, count: (numbers.keys.max() ?? 0) + 1)
        for (id, k) in numbers where id >= 0 { out[id] = value(k) }
        return out
    }

    /// Per number key id whether `--campaign` keeps it (every key without `--campaign`).
    func allowed(_ filter: ReportFilter) -> [Bool] {
        perNumber(false) { filter.campaigns.isEmpty || filter.campaigns.contains($0.campaign ?? "") }
    }
}
