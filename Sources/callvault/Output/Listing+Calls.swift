import CallVaultCore
import CallVaultStore

extension Listing where Item == CallRecord {
    /// Calls as `query` prints them: a short table, every CSV column of ``CallRecord/csvColumns``,
    /// and in JSON the object `show` prints (with the active holds' names and the callers' directory entries).
    static func calls(_ records: [CallRecord], archiveRoot: String, holds: [String: [String]] = [:],
                      directory: [String: CallerDirectoryEntry] = [:]) -> Listing {
        let seconds = { (ms: Int) in CellTable.Cell.fixed(Double(ms) / 1000, digits: 1) }
        return Listing(
            records,
            table: [
                .init("started_at") { .text(IndexTime.text($0.startedAt)) }, .init("id") { .text($0.id) },
                .init("campaign") { .optional($0.campaign) }, .init("caller") { .optional($0.caller) },
                .init("tracking_number") { .text($0.trackingNumber) }, .init("outcome") { .text($0.outcome.rawValue) },
                .init("duration") { seconds($0.durationMs) }, .init("talk") { seconds($0.talkMs) },
            ],
            csvColumns: CallRecord.csvColumns,
            csvRow: { $0.csvValues(archiveRoot: archiveRoot).map(CellTable.Cell.optional) },
            json: records.map { $0.output(archiveRoot: archiveRoot, holds: holds[$0.id] ?? [], directory: $0.caller.flatMap { directory[$0] }) })
    }
}
