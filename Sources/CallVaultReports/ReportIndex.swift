import CallVaultCore
import CallVaultStore
import Foundation
import GRDB

/// The index a report reads. SQLite's keeps the report aggregates (the fast path, `--exact-scan`
/// aside) and its scans are its own SQL, unchanged; another backend (PostgreSQL) gives what a scan
/// reads through Store's ``ReportScanSource`` and every report scans there. The accumulation in
/// Swift is one for both, so both print the same numbers.
///
/// ```swift
/// let table = try SummaryReport.run(.scanned(PostgresReportSource(index: pg)), filter: f, by: .day)
/// ```
public enum ReportIndex: Sendable {
    case sqlite(CallIndex)
    case scanned(any ReportScanSource)

    /// Each call `filter` matches; `attributionField` read into ``CallFacts/dimension``;
    /// `keywords` (when not empty) keep the calls whose attribution's keyword is one of them.
    func forEachCall(_ filter: ReportFilter, attributionField: String? = nil, keywords: [String] = [],
                     _ body: (CallFacts) throws -> Void) throws {
        switch self {
        case .sqlite(let index):
            let dimension = attributionField.map { "json_extract(attribution, '$.\($0)')" }
            let keywordCondition = keywords.isEmpty ? nil
                : "json_extract(attribution, '$.keyword') IN (\(keywords.map { _ in "?" }.joined(separator: ", ")))"
            try CallFacts.forEach(index, filter, extraCondition: keywordCondition, extraArguments: StatementArguments(keywords),
                                  dimension: dimension, body)
        case .scanned(let source):
            try source.forEachCall(filter.query, attributionField: attributionField, keywords: keywords) { try body(CallFacts($0)) }
        }
    }

    /// Each caller's first call in the whole index (caller ▶ id), for every caller whose first
    /// call `filter` matches at least (another backend leaves the others out: only the matching
    /// calls are compared with it).
    func firstCalls(among filter: ReportFilter) throws -> [String: String] {
        switch self {
        case .sqlite(let index): try SummaryReport.firstCalls(index)
        case .scanned(let source): try source.firstCallIDs(among: filter.query)
        }
    }

    /// The index's report aggregates: SQLite's, or another backend's when it keeps them (nil:
    /// every report scans).
    var aggregates: (any ReportAggregateStore)? {
        switch self {
        case .sqlite(let index): index
        case .scanned(let source): source.aggregateStore
        }
    }

    /// The caller directory's entries for these numbers.
    func directoryEntries(for numbers: [String]) throws -> [String: CallerDirectoryEntry] {
        switch self {
        case .sqlite(let index): try CallerDirectory(index: index).entries(for: numbers)
        case .scanned(let source): try source.directoryEntries(for: numbers)
        }
    }
}

extension CallFacts {
    /// The facts of a call another backend read (``ReportScanSource``).
    init(_ row: ReportCallRow) {
        id = row.id
        startedAt = row.startedAt
        epoch = Clock.epoch(row.startedAt)
        outcome = row.outcome
        caller = row.caller
        talkMs = row.talkMs
        durationMs = row.durationMs
        campaign = row.campaign
        source = row.source
        trackingNumber = row.trackingNumber
        areaCode = row.areaCode
        region = row.region
        place = row.place
        country = row.country
        medium = row.medium
        dimension = row.dimension
        deadAir = row.deadAir
    }
}
