import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation
import Testing

/// A real index and an archive folder in a temporary folder, with calls whose files are on disk.
struct ArchiveFixture {
    let folder: String
    let archive: String
    let index: CallIndex

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-archive-\(UUID().uuidString.prefix(8))").path
        archive = folder + "/archive"
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        index = try CallIndex(path: folder + "/index.sqlite")
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Inserts an answered call of `startedAt` whose archive file holds `bytes`.
    @discardableResult
    func addCall(_ callID: String, startedAt: String = "2026-11-20T14:00:00Z", bytes: [UInt8] = Array(repeating: 7, count: 300)) throws -> CallRecord {
        let id = RecordID.make(callID: callID)
        let relative = "2026/11/20/\(id).opus"
        try FileManager.default.createDirectory(atPath: archive + "/2026/11/20", withIntermediateDirectories: true)
        try Support.createFile(archive + "/" + relative, Data(bytes))
        let sidecar = try Sidecar.parse(JSONEncoder().encode(["tracking_number": "+14155550100", "started_at": startedAt, "call_id": callID]))
        let analysis = AudioAnalysis(durationMs: 30_000, sampleRate: 8000, channels: 1, format: "WAV", talkMs: 20_000, activity: [],
                                     outcome: .answered, silences: [], longestSilenceMs: 0, leadingSilenceMs: 0, warnings: [], channelActivity: [])
        let record = CallRecord(id: id, callID: callID, sidecar: sidecar, analysis: analysis,
                                numbers: .init(caller: nil, callerRaw: nil, callerValid: nil, trackingNumber: "+14155550100",
                                               trackingNumberRaw: "+14155550100"),
                                archive: .init(path: relative, sha256: try FileHash.sha256(path: archive + "/" + relative).hex, bytes: bytes.count),
                                source: .init(name: "\(callID).wav", sha256: String(repeating: "1", count: 64), bytes: 1000),
                                warnings: [], ingestedAt: try #require(Timestamp.parseInstant(startedAt)))
        try index.pool.write { db in try record.insert(db) }
        return record
    }
}
