import CallVaultCore
import CallVaultFaultInjection
import CallVaultFiles
import CallVaultStore
import Foundation

/// Carries out an erasure request (GDPR art. 17, CCPA): every call of a caller, or the calls
/// named, is erased — audio and record — unless a legal hold or a mandatory minimum
/// (`min_keep_days`) keeps it, and the ``ErasureReceipt`` says which and why.
///
/// Order of effects, as ``Retention``'s: for each call the audio is marked erased and audited in
/// one transaction, then the file is unlinked and its folder fsynced, then the record (and the
/// index rows that name it) is deleted and audited in another; every transaction looks at the
/// call again, so a hold placed meanwhile wins. A kill at any moment followed by the same request
/// ends where one clean run would; the run first deletes files whose record already says purged.
///
/// ```swift
/// let erasure = Erasure(index: index, archiveRoot: root, policy: config.retention)
/// let receipt = try erasure.run(caller: "+12125550187", ids: [], by: "dpo", reason: "art. 17 #114", dryRun: false)
/// ```
///
/// Either backend: the index's half is an ``ErasureSource`` (``ErasureIndex`` on SQLite), and
/// files left by an interrupted run are found through the same index's ``RetentionSource``.
public struct Erasure: Sendable {
    public let source: any ErasureSource
    public let retention: any RetentionSource
    public let archiveRoot: String
    public let policy: RetentionPolicy?

    public init(source: any ErasureSource, retention: any RetentionSource, archiveRoot: String, policy: RetentionPolicy?) {
        self.source = source
        self.retention = retention
        self.archiveRoot = archiveRoot
        self.policy = policy
    }

    public init(index: CallIndex, archiveRoot: String, policy: RetentionPolicy?) {
        self.init(source: ErasureIndex(index: index), retention: RetentionIndex(index: index), archiveRoot: archiveRoot, policy: policy)
    }

    /// Decides and (unless `dryRun`) erases. `caller` is the number as stored (E.164 when valid);
    /// `ids` are archive ids. Throws only for what is not a call's own problem (the index or the
    /// archive unusable); a kept call is an answer, not an error.
    public func run(caller: String?, ids: [String], by: String, reason: String, dryRun: Bool, now: Date = Date()) throws -> ErasureReceipt {
        let store = source
        // A dry run writes nothing, not even the salt: it shows the hash only when one exists.
        let salt: String? = try dryRun ? store.existingSalt() : store.salt()
        let callerHash = caller.flatMap { c in salt.map { ErasureIndex.callerHash(c, salt: $0) } }
        let request = ErasureIndex.Request(by: by, reason: reason, callerHash: callerHash)
        var receipt = ErasureReceipt(dryRun: dryRun, requestedAt: Timestamp.format(now), by: by, reason: reason,
                                     caller: caller, callerHash: callerHash, ids: ids)
        if !dryRun { receipt.leftoverFilesRemoved = try Retention(source: retention, archiveRoot: archiveRoot).removeFilesOfPurgedRecords() }
        let (candidates, unknown) = try store.candidates(caller: caller, ids: ids)
        receipt.notFound = unknown
        let planned = try store.decisions(for: candidates.map(\.id), policy: policy, now: now)
        for call in candidates {
            var line = ErasureReceipt.Call(call)
            var decision = planned[call.id] ?? .gone
            if !dryRun && decision == .erase {
                decision = try erase(call, request: request, now: now)
            }
            switch decision {
            case .gone:
                receipt.notFound.append(call.id)
                continue
            case .erase:
                line.decision = .erase
                line.why = "no hold and no mandatory minimum covers it"
                if !dryRun { line.audio = call.audioPurged ? "already purged" : "deleted" }
            case .keep(let reason):
                line.keep(reason)
            }
            receipt.calls.append(line)
        }
        if !dryRun {
            let kept = Dictionary(receipt.calls.filter { $0.decision == .keep }.map { ($0.id, $0.why) }) { a, _ in a }
            let finished = try store.finish(request: request, caller: caller, erased: receipt.calls.filter { $0.decision == .erase }.map(\.id),
                                            kept: kept, extraDetails: ids.isEmpty ? [:] : ["requested_ids": ids.joined(separator: " ")])
            receipt.directoryEntry = caller == nil ? "not touched (request by id)"
                : finished.directoryEntryDeleted ? "deleted" : (kept.isEmpty ? "none" : "kept (calls of this caller are kept)")
            receipt.auditSeq = finished.seq
        } else {
            receipt.directoryEntry = caller == nil ? "not touched (request by id)" : "not changed (dry run)"
        }
        receipt.completedAt = Timestamp.format(Date())
        return receipt
    }

    /// One call: audio (commit, then unlink), then the record. Returns what the last transaction
    /// found: `.erase` when the record is gone, else why it stayed.
    private func erase(_ call: ErasureIndex.Candidate, request: ErasureIndex.Request, now: Date) throws -> ErasureIndex.Decision {
        let store = source
        if !call.audioPurged {
            let marked = try store.markAudioErased(call, request: request, policy: policy, now: now)
            guard marked == .erase else { return marked }
            FaultInjection.point("erase.after-audio-commit")
            try ArchiveFileRemoval.remove(call.archivePath, under: archiveRoot)
            FaultInjection.point("erase.after-unlink")
        }
        let deleted = try store.deleteRecord(call, request: request, policy: policy, now: now)
        FaultInjection.point("erase.after-record-delete")
        return deleted
    }
}
