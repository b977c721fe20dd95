import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// Attribution on a PostgreSQL index: Store's rules (``CallAttributor/Resolution``, the same
/// lookups' SQL) asked of PostgreSQL, so a call is attributed alike on both backends: by its
/// registry row, a pool session or a call-back request (`pg-v5-web-logs`), at ingest and by every
/// relink (a registry, sessions or requests imported after the calls).
///
/// Every writer of what attribution reads (a registry import, a web import) holds
/// ``PostgresRegistry/lockKey`` exclusively for its transaction, and the ingest step holds it
/// shared: a call committed during an import is either re-linked by it or attributed by its rows.
enum PostgresAttribution {
    /// The rules for `facts`, their lookups run on `c` (inside the caller's transaction).
    static func resolve(_ facts: CallAttributor.Facts, windows: AttributionWindows,
                        on c: PostgresConnection, logger: Logger) async throws -> CallAttributor.Result {
        var resolution = CallAttributor.Resolution(facts, windows: windows)
        try await finish(&resolution, on: c, logger: logger)
        return resolution.result
    }

    /// Answers `resolution`'s lookups until none is pending.
    static func finish(_ resolution: inout CallAttributor.Resolution, on c: PostgresConnection, logger: Logger) async throws {
        while let lookup = resolution.pending {
            let (sql, values) = lookup.sql(.postgres)
            let (numbered, binds) = try PostgresCallReader.numbered(sql, values.map(IndexValue.text))
            let row = try await c.query(PostgresQuery(unsafeSQL: numbered, binds: binds), logger: logger).collect().first
            resolution.answer(try row.map(fields))
        }
    }

    /// A row as the rules read it: every column text (or NULL), by name.
    static func fields(_ row: PostgresRow) throws -> CallAttributor.Fields {
        var fields: CallAttributor.Fields = [:]
        for cell in row { fields[cell.columnName] = try cell.decode(String?.self) }
        return fields
    }

    /// Re-attributes the calls `condition` selects (all when nil; SQL without values, the same
    /// text as SQLite's relink takes) inside the caller's transaction, and returns how many changed.
    /// Only changed calls are written, in the text SQLite's relink writes
    /// (``CallAttributor/storedText(_:)``). The registry row is joined to each call in one pass;
    /// only the calls the rules then ask more of (a pool number's, an outbound one) are looked up
    /// one by one, after it.
    static func relink(_ c: PostgresConnection, logger: Logger, windows: AttributionWindows, condition: String? = nil) async throws -> Int {
        typealias Current = (registryID: Int64?, campaign: String?, source: String?, medium: String?, attribution: CallAttribution?)
        var changed: [(id: String, result: CallAttributor.Result)] = []
        var deferred: [(id: String, current: Current, resolution: CallAttributor.Resolution)] = []
        func keep(_ id: String, _ current: Current, _ r: CallAttributor.Result) {
            if current.attribution != r.attribution || current.registryID != r.registryID || current.campaign != r.campaign
                || current.source != r.source || current.medium != r.medium { changed.append((id, r)) }
        }
        // NULLS LAST: SQLite sorts NULL first, so a dated row wins over an open one there too.
        let rows = try await c.query(PostgresQuery(unsafeSQL: """
            SELECT c.id, c.tracking_number, c.started_at, c.direction, c.callee, c.callback_request_id,
                   c.registry_id, c.campaign, c.source, c.medium, c.attribution,
                   CAST(r.id AS TEXT), r.campaign, r.source, r.medium, r.pool
            FROM calls c LEFT JOIN LATERAL (
                SELECT id, campaign, source, medium, pool FROM registry r
                WHERE r.tracking_number = c.tracking_number AND (r.valid_from IS NULL OR r.valid_from <= c.started_at)
                  AND (r.valid_to IS NULL OR c.started_at < r.valid_to)
                ORDER BY r.valid_from DESC NULLS LAST LIMIT 1) r ON c.direction IS DISTINCT FROM 'outbound'
            \(condition.map { "WHERE \($0)" } ?? "")
            """), logger: logger)
        for try await row in rows {
            let (id, number, startedAt, direction, callee, requestID, registryID, campaign, source, medium, attribution,
                 rowID, rowCampaign, rowSource, rowMedium, rowPool) =
                try row.decode((String, String, String, String?, String?, String?, Int64?, String?, String?, String?, String?,
                                String?, String?, String?, String?, String?).self)
            let facts = CallAttributor.Facts(trackingNumber: number, startedAt: startedAt,
                                             direction: direction.flatMap(Sidecar.Direction.init(rawValue:)) ?? .inbound,
                                             callee: callee, callbackRequestID: requestID)
            let current: Current = (registryID, campaign, source, medium,
                                    attribution.flatMap { try? JSONDecoder().decode(CallAttribution.self, from: Data($0.utf8)) })
            var resolution = CallAttributor.Resolution(facts, windows: windows)
            if case .registry = resolution.pending {
                resolution.answer(rowID.map { ["id": $0, "campaign": rowCampaign, "source": rowSource, "medium": rowMedium, "pool": rowPool] })
            }
            if resolution.pending == nil {
                keep(id, current, resolution.result)
            } else {
                deferred.append((id, current, resolution))
            }
        }
        for var call in deferred {
            try await finish(&call.resolution, on: c, logger: logger)
            keep(call.id, call.current, call.resolution.result)
        }
        guard !changed.isEmpty else { return 0 }
        // Texts with a marker for NULL: an array bound here holds no NULLs.
        var ids: [String] = [], registryIDs: [String] = [], campaigns: [String] = [], sources: [String] = [], media: [String] = []
        var attributions: [String] = [], nulls: [String] = []
        for (id, r) in changed {
            ids.append(id)
            registryIDs.append(r.registryID.map { "\($0)" } ?? "")
            campaigns.append(r.campaign ?? "")
            sources.append(r.source ?? "")
            media.append(r.medium ?? "")
            nulls.append([r.campaign, r.source, r.medium].map { $0 == nil ? "1" : "0" }.joined())
            attributions.append(try CallAttributor.storedText(r.attribution))
        }
        try await c.query("""
            UPDATE calls SET registry_id = NULLIF(u.registry_id, '')::bigint,
                             campaign = CASE WHEN substr(u.nulls, 1, 1) = '1' THEN NULL ELSE u.campaign END,
                             source = CASE WHEN substr(u.nulls, 2, 1) = '1' THEN NULL ELSE u.source END,
                             medium = CASE WHEN substr(u.nulls, 3, 1) = '1' THEN NULL ELSE u.medium END,
                             attribution = u.attribution
            FROM unnest(\(ids)::text[], \(registryIDs)::text[], \(campaigns)::text[], \(sources)::text[], \(media)::text[],
                        \(nulls)::text[], \(attributions)::text[]) AS u (id, registry_id, campaign, source, medium, nulls, attribution)
            WHERE calls.id = u.id
            """, logger: logger)
        return changed.count
    }
}
