import CallVaultCore
import CallVaultStore
import Foundation
import Testing

/// A real SQLite index (GRDB, every migration) in a temporary folder, and records to put in it.
package struct StoreFixture {
    package let folder: URL
    package let index: CallIndex

    package init(name: String = #function) throws {
        folder = try Support.temporaryDirectory("store-" + name)
        index = try CallIndex(path: folder.appendingPathComponent("index.sqlite").path)
    }

    package func remove() { try? FileManager.default.removeItem(at: folder) }

    /// A plausible record of a call from `caller` to `tracking` at `startedAt`, built as ingest builds
    /// one: from a sidecar, an analysis, the numbers and the files.
    package static func record(callID: String, caller: String? = "+12125550187", tracking: String = "+14155550100",
                       startedAt: String = "2026-11-20T14:00:00Z", outcome: Outcome = .answered) throws -> CallRecord {
        let id = RecordID.make(callID: callID)
        var fields: [String: String] = ["tracking_number": tracking, "started_at": startedAt, "call_id": callID]
        fields["caller"] = caller
        let sidecar = try Sidecar.parse(JSONEncoder().encode(fields))
        let analysis = AudioAnalysis(durationMs: 30_000, sampleRate: 8000, channels: 1, format: "WAV",
                                     talkMs: outcome == .answered ? 20_000 : 0, activity: [], outcome: outcome, silences: [],
                                     longestSilenceMs: 0, leadingSilenceMs: 0, warnings: [], channelActivity: [])
        let numbers = CallRecord.Numbers(caller: caller, callerRaw: caller, callerValid: caller.map { _ in true },
                                         trackingNumber: tracking, trackingNumberRaw: tracking)
        return CallRecord(id: id, callID: callID, sidecar: sidecar, analysis: analysis, numbers: numbers,
                          archive: .init(path: "2026/11/20/\(id).opus", sha256: String(repeating: "0", count: 64), bytes: 100),
                          source: .init(name: "\(callID).wav", sha256: String(repeating: "1", count: 64), bytes: 1000),
                          warnings: [], ingestedAt: try #require(Timestamp.parseInstant(startedAt)))
    }

    /// Enqueues, claims and commits `record` as a worker would; returns the job.
    @discardableResult
    package func ingest(_ record: CallRecord, queue: JobQueue, retention: RetentionPolicy? = nil, now: Date) throws -> Job? {
        let stem = record.callID
        _ = try queue.enqueue([.init(stem: stem, audioName: stem + ".wav")], now: now) { _ in true }
        guard let job = try queue.claim(owner: "test", now: now) else { return nil }
        guard try Self.commit(record, job: job, owner: "test", queue: queue, retention: retention, now: now) == .committed else { return nil }
        return job
    }

    /// The worker's ingest transaction (CallVaultWorker's `IngestTransaction`), composed of the
    /// store's steps in the same order: refusal check, attribution, retention stamp, insert, redaction audit.
    package static func commit(_ record: CallRecord, job: Job, owner: String, queue: JobQueue, retention: RetentionPolicy? = nil,
                       now: Date) throws -> CommitResult {
        try queue.inTransaction { db in
            if let refusal = try queue.commitRefusal(db, recordID: record.id, job: job, owner: owner) { return refusal }
            var record = record
            try queue.linkAttribution(&record, db)
            if let retention { try queue.stampRetention(&record, policy: retention, db) }
            try queue.insertArchived(record, job: job, now: now, db)
            try queue.auditRedactions(record, db)
            return .committed
        }
    }
}
