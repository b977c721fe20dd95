import CallVaultCore
import CallVaultStore
import Foundation

/// A real SQLite index (GRDB, every migration) in a temporary folder, and records to put in it.
package struct StoreFixture {
    package let folder: URL
    package let index: CallIndex

    package init(name: String = #function) throws {
        folder = try Support.temporaryDirectory("store-" + name)
        index = try CallIndex(path: folder.appendingPathComponent("index.sqlite").path)
    }

    package func remove() { try? FileManager.default.removeItem(at: folder) }

    /// A plausible record of a call from `caller` to `tracking` at `startedAt`.
    package static func record(callID: String, caller: String? = "+12125550187", tracking: String = "+14155550100",
                       startedAt: String = "2026-11-20T14:00:00Z", outcome: String = "answered") -> CallRecord {
        let id = RecordID.make(callID: callID)
        return CallRecord(
            id: id, callID: callID, caller: caller, callerRaw: caller, callerValid: caller != nil, callerName: nil,
            trackingNumber: tracking, trackingNumberRaw: tracking, startedAt: startedAt, durationMs: 30_000,
            talkMs: outcome == "answered" ? 20_000 : 0, outcome: outcome, longestSilenceMs: 0, leadingSilenceMs: 0,
            silences: [], channels: 1, channelRoles: nil, sampleRate: 8000, sourceFormat: "WAV", sourceName: "\(callID).wav",
            disposition: nil, switchDurationMs: nil, archivePath: "2026/11/20/\(id).opus", sha256: String(repeating: "0", count: 64),
            bytes: 100, sourceBytes: 1000, sourceSha256: String(repeating: "1", count: 64), metadata: [:], extra: [:],
            warnings: [], ingestedAt: startedAt)
    }

    /// Enqueues, claims and commits `record` as a worker would; returns the job.
    @discardableResult
    package func ingest(_ record: CallRecord, queue: JobQueue, now: Date) throws -> Job? {
        let stem = record.callID
        _ = try queue.enqueue([.init(stem: stem, audioName: stem + ".wav")], now: now) { _ in true }
        guard let job = try queue.claim(owner: "test", now: now) else { return nil }
        guard try queue.commit(record, job: job, owner: "test", now: now) == .committed else { return nil }
        return job
    }
}
