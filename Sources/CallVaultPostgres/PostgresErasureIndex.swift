import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// An erasure request's index side on PostgreSQL (``ErasureSource``), synchronous as
/// CallVaultArchive's `Erasure` is: each operation waits through ``PostgresBlocking``, so the
/// command runs it on a thread of its own. The judging (``ErasureIndex/judge(_:holds:unfinishedJobs:policy:now:)``),
/// the hold coverage (``HoldMatch``) and the audit entries are SQLite's; the transactions are here.
///
/// Where SQLite's single writer orders things, locks do here, as for retention's deletions
/// (``PostgresRetentionIndex``): each change takes ``PostgresHolds/lockKey`` shared (a hold being
/// placed is waited for, then seen) and locks the call's row (two requests never erase one call twice).
public struct PostgresErasureIndex: ErasureSource {
    public let index: PostgresIndex

    public init(index: PostgresIndex) { self.index = index }

    public func candidates(caller: String?, ids: [String]) throws -> (calls: [ErasureIndex.Candidate], unknownIDs: [String]) {
        let index = index
        return try PostgresBlocking.wait {
            let columns = ErasureIndex.candidateColumns
            var calls: [ErasureIndex.Candidate] = []
            if let caller {
                var binds = PostgresBindings()
                binds.append(caller)
                calls = try await index.query("reading the calls of the caller", PostgresQuery(unsafeSQL: """
                    SELECT \(columns) FROM calls WHERE caller = $1 ORDER BY started_at, id
                    """, binds: binds)).map(Self.candidate)
            }
            var unknown: [String] = []
            for id in ids {
                var binds = PostgresBindings()
                binds.append(id)
                if let call = try await index.query("reading call \(id)", PostgresQuery(unsafeSQL: "SELECT \(columns) FROM calls WHERE id = $1", binds: binds))
                    .first.map(Self.candidate) {
                    if !calls.contains(where: { $0.id == id }) { calls.append(call) }
                } else if !unknown.contains(id) {
                    unknown.append(id)
                }
            }
            return Candidates(calls: calls, unknown: unknown)
        }.tuple
    }

    public func decisions(for ids: [String], policy: RetentionPolicy?, now: Date) throws -> [String: ErasureIndex.Decision] {
        let index = index
        return try PostgresBlocking.wait {
            // One snapshot for the plan, as SQLite's read.
            try await index.transaction("judging \(ids.count) call(s) for erasure") { c in
                _ = try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: index.logger).collect()
                var out: [String: ErasureIndex.Decision] = [:]
                for id in ids { out[id] = try await Self.decide(c, logger: index.logger, id: id, policy: policy, now: now) }
                return out
            }
        }
    }

    public func markAudioErased(_ call: ErasureIndex.Candidate, request: ErasureIndex.Request, policy: RetentionPolicy?,
                                now: Date) throws -> ErasureIndex.Decision {
        try change(call, step: "erasing the audio of call \(call.id)", policy: policy, now: now) { c, logger in
            let changed = try await c.query("""
                UPDATE calls SET audio_purged_at = \(Timestamp.format(now)) WHERE id = \(call.id) AND audio_purged_at IS NULL RETURNING id
                """, logger: logger).collect()
            // Audited only when this request erased it (as on SQLite): two requests erasing the
            // same call at once audit its audio once.
            if !changed.isEmpty {
                try await PostgresAuditLog.append(c, logger: logger, action: "audio_erased", ids: [call.id], reason: request.reason,
                                                  sha256: call.sha256, details: request.details.merging(["archive_path": call.archivePath]) { $1 })
            }
        }
    }

    /// Deletes the record, the finished jobs that made it and its id in holds' id lists (kept as
    /// the same JSON text SQLite's `json_group_array` writes), and audits `record_erased`.
    public func deleteRecord(_ call: ErasureIndex.Candidate, request: ErasureIndex.Request, policy: RetentionPolicy?,
                             now: Date) throws -> ErasureIndex.Decision {
        try change(call, step: "erasing the record of call \(call.id)", policy: policy, now: now) { c, logger in
            try await c.query("DELETE FROM jobs WHERE record_id = \(call.id)", logger: logger)
            let naming = try await c.query("""
                SELECT id, call_ids FROM holds
                WHERE call_ids IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(call_ids::jsonb) j WHERE j = \(call.id))
                """, logger: logger).collect()
            for row in naming {
                let (holdID, json) = try row.decode((Int64, String).self)
                guard let ids = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
                    throw PostgresIndexError(.statement, "PostgreSQL index: hold \(holdID): call_ids is not a JSON array of text: \(json)")
                }
                try await c.query("UPDATE holds SET call_ids = \(AuditChain.json(ids.filter { $0 != call.id })) WHERE id = \(holdID)", logger: logger)
            }
            try await c.query("DELETE FROM calls WHERE id = \(call.id)", logger: logger)
            try await PostgresAuditLog.append(c, logger: logger, action: "record_erased", ids: [call.id], reason: request.reason,
                                              sha256: call.sha256, details: request.details.merging(["started_at": call.startedAt]) { $1 })
        }
    }

    public func finish(request: ErasureIndex.Request, caller: String?, erased: [String], kept: [String: String],
                       extraDetails: [String: String]) throws -> (directoryEntryDeleted: Bool, seq: Int64) {
        let index = index
        let finished = try PostgresBlocking.wait {
            try await index.transaction("finishing the erasure request") { c -> Finished in
                let logger = index.logger
                var deleted = false
                if let caller,
                   try await c.query("SELECT count(*) FROM calls WHERE caller = \(caller)", logger: logger).collect().first?.decode(Int64.self) == 0 {
                    deleted = try await !c.query("DELETE FROM caller_directory WHERE number = \(caller) RETURNING number", logger: logger)
                        .collect().isEmpty
                    if deleted { try await c.query("DELETE FROM meta WHERE key = 'caller_directory_fingerprint'", logger: logger) }
                }
                let details = ErasureIndex.finishDetails(request, erased: erased, kept: kept, directoryEntryDeleted: deleted,
                                                         extraDetails: extraDetails)
                try await PostgresAuditLog.append(c, logger: logger, action: "erasure", ids: erased, reason: request.reason, details: details)
                // The append holds the audit's lock to the end of this transaction: the last entry is this one.
                let seq = try await c.query("SELECT max(seq) FROM audit", logger: logger).collect().first?.decode(Int64.self) ?? 0
                return Finished(deleted: deleted, seq: seq)
            }
        }
        return (finished.deleted, finished.seq)
    }

    public func salt() throws -> String {
        let index = index
        let fresh = ErasureIndex.newSalt()
        return try PostgresBlocking.wait {
            try await index.transaction("making the erasure salt") { c in
                // Two first erasures at once: one salt wins, both use it.
                try await c.query("INSERT INTO meta (key, value) VALUES ('erasure_salt', \(fresh)) ON CONFLICT (key) DO NOTHING",
                                  logger: index.logger)
                guard let salt = try await c.query("SELECT value FROM meta WHERE key = 'erasure_salt'", logger: index.logger)
                    .collect().first?.decode(String.self) else {
                    throw PostgresIndexError(.statement, "PostgreSQL index: the erasure salt was not stored")
                }
                return salt
            }
        }
    }

    public func existingSalt() throws -> String? { try meta("erasure_salt") }

    public func retentionPolicyRecorded() throws -> Bool { try meta("retention_policy") != nil }

    private func meta(_ key: String) throws -> String? {
        let index = index
        return try PostgresBlocking.wait {
            try await index.query("reading \(key)", "SELECT value FROM meta WHERE key = \(key)").first?.decode(String.self)
        }
    }

    /// One change's transaction: the locks, the call judged again, and `body` run only when it
    /// may still be erased. Returns the decision the transaction found.
    private func change(_ call: ErasureIndex.Candidate, step: String, policy: RetentionPolicy?, now: Date,
                        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void) throws -> ErasureIndex.Decision {
        let index = index
        return try PostgresBlocking.wait {
            try await index.transaction(step) { c in
                let logger = index.logger
                _ = try await c.query("SELECT pg_advisory_xact_lock_shared(\(PostgresHolds.lockKey))", logger: logger).collect()
                _ = try await c.query("SELECT 1 FROM calls WHERE id = \(call.id) FOR UPDATE", logger: logger).collect()
                let decision = try await Self.decide(c, logger: logger, id: call.id, policy: policy, now: now)
                guard decision == .erase else { return decision }
                try await body(c, logger)
                return decision
            }
        }
    }

    /// One call looked at again, as ``ErasureIndex``'s `decide` on SQLite.
    private static func decide(_ c: PostgresConnection, logger: Logger, id: String, policy: RetentionPolicy?,
                               now: Date) async throws -> ErasureIndex.Decision {
        var binds = PostgresBindings()
        binds.append(id)
        guard let row = try await c.query(PostgresQuery(unsafeSQL: "SELECT \(ErasureIndex.judgedColumns) FROM calls WHERE id = $1", binds: binds),
                                          logger: logger).collect().first else { return .gone }
        let (campaign, source, outcome, trackingNumber, startedAt) = try row.decode((String?, String?, String, String, String).self)
        var holds: [String] = []
        var idBinds = PostgresBindings()
        idBinds.append([id])
        for hold in try await c.query(PostgresQuery(unsafeSQL: HoldMatch.namesSQL(idsIn: "= ANY($1)", .postgres), binds: idBinds), logger: logger).collect() {
            holds.append(try hold.decode((String, String).self).1)
        }
        let unfinished = try await c.query("""
            SELECT count(*) FROM jobs WHERE record_id = \(id) AND state NOT IN ('done', 'failed')
            """, logger: logger).collect().first?.decode(Int64.self) ?? 0
        let facts = try (policy == nil ? nil : Timestamp.parseInstant(startedAt)).map { started in
            RetentionPolicy.Facts(campaign: campaign, source: source, outcome: try Outcome.stored(outcome, call: id),
                                  trackingNumber: trackingNumber, startedAt: started)
        }
        return ErasureIndex.judge(facts, holds: holds, unfinishedJobs: Int(unfinished), policy: policy, now: now)
    }

    private static func candidate(_ row: PostgresRow) throws -> ErasureIndex.Candidate {
        let (id, callID, startedAt, campaign, caller, sha256, archivePath, bytes, durationMs, purgedAt) =
            try row.decode((String, String, String, String?, String?, String, String, Int64, Int64, String?).self)
        return ErasureIndex.Candidate(id: id, callID: callID, startedAt: startedAt, campaign: campaign, caller: caller, sha256: sha256,
                                      archivePath: archivePath, bytes: Int(bytes), durationMs: Int(durationMs), audioPurged: purgedAt != nil)
    }

    private struct Candidates: Sendable {
        var calls: [ErasureIndex.Candidate]
        var unknown: [String]
        var tuple: (calls: [ErasureIndex.Candidate], unknownIDs: [String]) { (calls, unknown) }
    }

    private struct Finished: Sendable {
        var deleted: Bool
        var seq: Int64
    }
}
