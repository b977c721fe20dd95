import CallVaultStore
import Foundation

/// What an erasure request did, call by call: the receipt `callvault erase` prints and writes
/// (`--receipt FILE`), for the person who asked and for the regulator.
///
/// JSON fields: `dry_run`, `requested_at`, `completed_at`, `by`, `reason`, `caller` (E.164, or
/// null for a request by ids), `caller_hash` (as in the audit log), `ids` (requested), `calls`
/// (each `id`, `call_id`, `started_at`, `campaign`, `decision` erase|keep, `reason` requested|held|
/// mandatory_minimum|being_archived, `why` in words, `holds`, `rule`, `min_keep_days`,
/// `keep_until`, `audio`, `sha256`, `bytes`), `erased`, `kept`, `bytes_freed`, `not_found`,
/// `directory_entry`, `audit_seq` (the request's `erasure` audit entry), `leftover_files_removed`.
public struct ErasureReceipt: Encodable, Sendable, Equatable {
    public var dryRun: Bool
    public var requestedAt: String
    public var completedAt: String = ""
    public var by: String
    public var reason: String
    public var caller: String?
    public var callerHash: String?
    public var ids: [String]
    public var calls: [Call] = []
    public var notFound: [String] = []
    public var directoryEntry = ""
    public var auditSeq: Int64?
    public var leftoverFilesRemoved = 0

    public var erased: Int { calls.filter { $0.decision == .erase }.count }
    public var kept: Int { calls.filter { $0.decision == .keep }.count }
    public var bytesFreed: Int { calls.filter { $0.decision == .erase && $0.audio == "deleted" }.reduce(0) { $0 + $1.bytes } }

    public enum Decision: String, Encodable, Sendable { case erase, keep }

    public struct Call: Encodable, Sendable, Equatable {
        public var id: String
        public var callID: String
        public var startedAt: String
        public var campaign: String?
        public var decision: Decision = .erase
        /// `requested` (erased), `held`, `mandatory_minimum` or `being_archived`.
        public var reason = "requested"
        public var why = ""
        public var holds: [String] = []
        public var rule: String?
        public var minKeepDays: Int?
        public var keepUntil: String?
        /// `deleted`, `already purged`, or nil (kept, or a dry run).
        public var audio: String?
        public var sha256: String
        public var bytes: Int

        init(_ c: ErasureIndex.Candidate) {
            id = c.id
            callID = c.callID
            startedAt = c.startedAt
            campaign = c.campaign
            sha256 = c.sha256
            bytes = c.bytes
        }

        mutating func keep(_ r: ErasureIndex.KeepReason) {
            decision = .keep
            switch r {
            case .held(let names):
                reason = "held"
                holds = names
                why = "held by \(names.map(\.debugDescription).joined(separator: ", "))"
            case .mandatoryMinimum(let rule, let days, let until):
                reason = "mandatory_minimum"
                self.rule = rule
                minKeepDays = days
                keepUntil = until
                why = "inside the mandatory minimum of retention rule \(rule.debugDescription) (min_keep_days \(days)) until \(until)"
            case .beingArchived:
                reason = "being_archived"
                why = "a worker is still putting its file in place; run the request again later"
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, callID = "call_id", startedAt = "started_at", campaign, decision, reason, why, holds, rule
            case minKeepDays = "min_keep_days", keepUntil = "keep_until", audio, sha256, bytes
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(callID, forKey: .callID)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(campaign, forKey: .campaign)
            try c.encode(decision, forKey: .decision)
            try c.encode(reason, forKey: .reason)
            try c.encode(why, forKey: .why)
            try c.encode(holds, forKey: .holds)
            try c.encode(rule, forKey: .rule)
            try c.encode(minKeepDays, forKey: .minKeepDays)
            try c.encode(keepUntil, forKey: .keepUntil)
            try c.encode(audio, forKey: .audio)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(bytes, forKey: .bytes)
        }
    }

    init(dryRun: Bool, requestedAt: String, by: String, reason: String, caller: String?, callerHash: String?, ids: [String]) {
        self.dryRun = dryRun
        self.requestedAt = requestedAt
        self.by = by
        self.reason = reason
        self.caller = caller
        self.callerHash = callerHash
        self.ids = ids
    }

    enum CodingKeys: String, CodingKey {
        case dryRun = "dry_run", requestedAt = "requested_at", completedAt = "completed_at", by, reason, caller
        case callerHash = "caller_hash", ids, calls, notFound = "not_found", directoryEntry = "directory_entry"
        case auditSeq = "audit_seq", leftoverFilesRemoved = "leftover_files_removed", erased, kept, bytesFreed = "bytes_freed"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(requestedAt, forKey: .requestedAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(by, forKey: .by)
        try c.encode(reason, forKey: .reason)
        try c.encode(caller, forKey: .caller)
        try c.encode(callerHash, forKey: .callerHash)
        try c.encode(ids, forKey: .ids)
        try c.encode(calls, forKey: .calls)
        try c.encode(erased, forKey: .erased)
        try c.encode(kept, forKey: .kept)
        try c.encode(bytesFreed, forKey: .bytesFreed)
        try c.encode(notFound, forKey: .notFound)
        try c.encode(directoryEntry, forKey: .directoryEntry)
        try c.encode(auditSeq, forKey: .auditSeq)
        try c.encode(leftoverFilesRemoved, forKey: .leftoverFilesRemoved)
    }
}
