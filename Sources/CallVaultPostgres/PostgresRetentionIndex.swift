import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// Retention's index side on PostgreSQL (``RetentionSource``), synchronous as CallVaultArchive's
/// `Retention` is: each operation waits through ``PostgresBlocking``, so retention runs on a
/// thread of its own (the CLI starts one). The SQL and the judging are SQLite's
/// (``RetentionIndex``'s statics, ``RetentionRow``, ``HoldMatch``); the transactions are here.
///
/// Where SQLite's single writer orders things, locks do here: a deletion takes
/// ``PostgresHolds/lockKey`` shared (a hold being placed is waited for, then seen) and locks the
/// call's row (two retention runs never delete one call twice); a recompute takes ``recomputeLockKey``
/// (one policy change, audited once, however many runs start together).
public struct PostgresRetentionIndex: RetentionSource {
    public let index: PostgresIndex

    /// Serialises recomputes ("cvretain" as a big-endian Int64).
    public static let recomputeLockKey: Int64 = 0x6376_7265_7461_696E

    public init(index: PostgresIndex) { self.index = index }

    public func recompute(_ policy: RetentionPolicy, dryRun: Bool,
                          extraDetails: [String: String]) throws -> (changed: Int, policyChanged: Bool) {
        let index = index
        let result = try PostgresBlocking.wait {
            try await index.transaction("recomputing retention dates") { c -> Recomputed in
                let logger = index.logger
                _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.recomputeLockKey))", logger: logger).collect()
                let previous = try await c.query("SELECT value FROM meta WHERE key = 'retention_policy'", logger: logger)
                    .collect().first?.decode(String.self)
                let policyChanged = previous != nil && previous != policy.fingerprint
                var ids: [String] = [], audio: [String] = [], record: [String] = [], rules: [String] = []
                for try await row in try await c.query(PostgresQuery(unsafeSQL: "SELECT \(RetentionRow.columns) FROM calls"), logger: logger) {
                    let r = try Self.retentionRow(row)
                    if let dates = try r.newDates(policy) {
                        ids.append(r.id); audio.append(dates.audio); record.append(dates.record); rules.append(dates.rule)
                    }
                }
                if dryRun { return Recomputed(changed: ids.count, policyChanged: policyChanged) }
                if !ids.isEmpty {
                    try await c.query("""
                        UPDATE calls SET retain_audio_until = u.audio, retain_record_until = u.record, retention_rule = u.rule
                        FROM unnest(\(ids)::text[], \(audio)::text[], \(record)::text[], \(rules)::text[]) AS u (id, audio, record, rule)
                        WHERE calls.id = u.id
                        """, logger: logger)
                }
                if previous != policy.fingerprint {
                    try await c.query("""
                        INSERT INTO meta (key, value) VALUES ('retention_policy', \(policy.fingerprint))
                        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                        """, logger: logger)
                    let entry = RetentionIndex.policyEntry(policy, previous: previous, changed: ids.count, extraDetails: extraDetails)
                    try await PostgresAuditLog.append(c, logger: logger, action: entry.action, ids: [], reason: entry.reason,
                                                      details: entry.details)
                }
                return Recomputed(changed: ids.count, policyChanged: policyChanged)
            }
        }
        return (result.changed, result.policyChanged)
    }

    public func due(at now: Date) throws -> (calls: [RetentionIndex.DueCall], held: Int) {
        let t = Timestamp.format(now)
        let index = index
        let result = try PostgresBlocking.wait {
            let (heldSQL, heldBinds) = try PostgresCallReader.numbered(RetentionIndex.heldDueSQL(.postgres), [.text(t), .text(t)])
            let held = try await index.query("counting held calls that are due", PostgresQuery(unsafeSQL: heldSQL, binds: heldBinds))
                .first?.decode(Int64.self) ?? 0
            let (dueSQL, dueBinds) = try PostgresCallReader.numbered(RetentionIndex.dueSQL(.postgres), [.text(t), .text(t)])
            let rows = try await index.query("listing the calls due at \(t)", PostgresQuery(unsafeSQL: dueSQL, binds: dueBinds))
            let calls = try rows.map { row in
                let (id, callID, startedAt, campaign, outcome, rule, audioUntil, recordUntil, bytes, durationMs, sha256, path, purgedAt) =
                    try row.decode((String, String, String, String?, String, String?, String?, String?, Int64, Int64, String, String, String?).self)
                return RetentionIndex.DueCall(id: id, callID: callID, startedAt: startedAt, campaign: campaign,
                                              outcome: try Outcome.stored(outcome, call: id), rule: rule, audioUntil: audioUntil,
                                              recordUntil: recordUntil, bytes: Int(bytes), durationMs: Int(durationMs), sha256: sha256,
                                              archivePath: path, audioPurgedAt: purgedAt, now: t)
            }
            return Due(calls: calls, held: Int(held))
        }
        return (result.calls, result.held)
    }

    public func markAudioPurged(id: String, callID: String, sha256: String, archivePath: String,
                                policy: RetentionPolicy?, now: Date, extraDetails: [String: String]) throws -> RetentionIndex.Recheck {
        try deletion(id: id, audio: true, policy: policy, now: now) { c, logger, rule, until in
            try await c.query("UPDATE calls SET audio_purged_at = \(Timestamp.format(now)) WHERE id = \(id)", logger: logger)
            try await PostgresAuditLog.append(c, logger: logger, action: "audio_deleted", ids: [id],
                                              reason: RetentionIndex.deletionReason(rule: rule, until: until, audio: true), sha256: sha256,
                                              details: ["archive_path": archivePath, "call_id": callID].merging(extraDetails) { $1 })
        }
    }

    public func deleteRecord(id: String, callID: String, startedAt: String, sha256: String,
                             policy: RetentionPolicy?, now: Date, extraDetails: [String: String]) throws -> RetentionIndex.Recheck {
        try deletion(id: id, audio: false, policy: policy, now: now) { c, logger, rule, until in
            try await c.query("DELETE FROM calls WHERE id = \(id)", logger: logger)
            try await PostgresAuditLog.append(c, logger: logger, action: "record_deleted", ids: [id],
                                              reason: RetentionIndex.deletionReason(rule: rule, until: until, audio: false), sha256: sha256,
                                              details: ["call_id": callID, "started_at": startedAt].merging(extraDetails) { $1 })
        }
    }

    public func purgedArchivePaths() throws -> [String] {
        let index = index
        return try PostgresBlocking.wait {
            try await index.query("reading the purged calls' archive paths", "SELECT archive_path FROM calls WHERE audio_purged_at IS NOT NULL")
                .map { try $0.decode(String.self) }
        }
    }

    /// One deletion's transaction: the call looked at again under the locks (see the type's
    /// comment), new dates stored when its rule changed, and `delete` run only while it is still due.
    private func deletion(id: String, audio: Bool, policy: RetentionPolicy?, now: Date,
                          _ delete: @escaping @Sendable (PostgresConnection, Logger, String, String) async throws -> Void) throws -> RetentionIndex.Recheck {
        let index = index
        let (sql, binds) = try PostgresCallReader.numbered(RetentionIndex.recheckSQL(.postgres), [.text(id)])
        return try PostgresBlocking.wait {
            try await index.transaction("\(audio ? "purging the audio" : "deleting the record") of call \(id)") { c -> RetentionIndex.Recheck in
                let logger = index.logger
                _ = try await c.query("SELECT pg_advisory_xact_lock_shared(\(PostgresHolds.lockKey))", logger: logger).collect()
                _ = try await c.query("SELECT 1 FROM calls WHERE id = \(id) FOR UPDATE", logger: logger).collect()
                guard let row = try await c.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect().first else {
                    return .gone
                }
                let held = try row.decode((String, String?, String?, String, String, String?, String?, String?, String?, String?, Bool).self).10
                let (check, changed) = try Self.retentionRow(row, held: held).recheck(audio: audio, policy: policy, now: now)
                if let changed {
                    try await c.query("""
                        UPDATE calls SET retain_audio_until = \(changed.audio), retain_record_until = \(changed.record),
                                         retention_rule = \(changed.rule) WHERE id = \(id)
                        """, logger: logger)
                }
                guard case .due(let rule, let until) = check else { return check }
                try await delete(c, logger, rule, until)
                return check
            }
        }
    }

    /// A ``RetentionRow`` from a row of ``RetentionRow/columns`` (then, optionally, more columns).
    private static func retentionRow(_ row: PostgresRow, held: Bool = false) throws -> RetentionRow {
        var cells = row.makeIterator()
        var texts: [String?] = []
        for _ in 0..<10 {
            guard let cell = cells.next() else { throw PostgresIndexError(.statement, "PostgreSQL index: a retention row has too few columns") }
            texts.append(try cell.decode(String?.self))
        }
        guard let id = texts[0], let outcome = texts[3] else {
            throw PostgresIndexError(.statement, "PostgreSQL index: a call without id or outcome")
        }
        return RetentionRow(id: id, campaign: texts[1], source: texts[2], outcome: try Outcome.stored(outcome, call: id),
                            trackingNumber: texts[4] ?? "", startedAt: texts[5], audioUntil: texts[6], recordUntil: texts[7],
                            rule: texts[8], audioPurgedAt: texts[9], held: held)
    }

    private struct Recomputed: Sendable {
        var changed: Int
        var policyChanged: Bool
    }

    private struct Due: Sendable {
        var calls: [RetentionIndex.DueCall]
        var held: Int
    }
}
