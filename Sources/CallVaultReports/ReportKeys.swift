import CallVaultCore
import CallVaultStore

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

    static func read(_ db: any ReportAggregateReader) throws -> ReportKeys {
        var keys = ReportKeys()
        try db.forEachRow("SELECT id, campaign, tracking_number, source, medium FROM report_number_keys", []) { r in
            let campaign = try r.text(1)
            keys.numbers[try r.int(0)] = NumberKey(campaign: campaign.isEmpty ? nil : campaign, trackingNumber: try r.text(2),
                                                   source: DimensionAggregates.decode(try r.text(3)), medium: DimensionAggregates.decode(try r.text(4)))
        }
        keys.maxCallerId = try largestCallerId(db)
        try db.forEachRow("SELECT id, area_code, region, place, country FROM report_area_keys", []) { r in
            keys.areas[try r.int(0)] = AreaKey(area: DimensionAggregates.decode(try r.text(1)), region: DimensionAggregates.decode(try r.text(2)),
                                               place: DimensionAggregates.decode(try r.text(3)), country: DimensionAggregates.decode(try r.text(4)))
        }
        return keys
    }

    /// The largest caller id (0 when there is none): sizes the per-caller buffers of a report, read
    /// in the transaction that reads the entries (so no entry names a larger one).
    static func largestCallerId(_ db: any ReportAggregateReader) throws -> Int {
        var largest = 0
        try db.forEachRow("SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM report_caller_ids", []) { largest = try $0.int(0) }
        return largest
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
