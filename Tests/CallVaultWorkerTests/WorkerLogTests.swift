import CallVaultCore
import CallVaultStore
import CallVaultWorker
import Foundation
import InMemoryLogging
import Logging
import Testing

/// The worker in-process on real speech (fixtures from scripts/make-fixtures.sh), its log captured
/// with swift-log's in-memory handler: operators read these lines at 3 a.m.
@Suite("What the worker logs")
struct WorkerLogTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/generated")

    @Test("an archived call is logged at info with its id and outcome; a quarantined pair at error with its stem and reason")
    func archivedAndQuarantined() async throws {
        let speech = Self.fixtures.appendingPathComponent("speech.wav").path
        let noise = Self.fixtures.appendingPathComponent("random.wav").path
        try #require(FileManager.default.fileExists(atPath: speech), "run scripts/make-fixtures.sh Tests/Fixtures/generated")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-worker-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let incoming = root.appendingPathComponent("spool/incoming").path
        for folder in [incoming, root.appendingPathComponent("archive").path] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let sidecar = #"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z"}"#
        for (stem, audio) in [("good", speech), ("bad", noise)] {
            try FileManager.default.copyItem(atPath: audio, toPath: incoming + "/\(stem).wav")
            try Data(sidecar.utf8).write(to: URL(fileURLWithPath: incoming + "/\(stem).json"))
        }
        var settings = WorkerSettings(spool: root.appendingPathComponent("spool").path, archive: root.appendingPathComponent("archive").path,
                                      database: root.appendingPathComponent("index.sqlite").path, workers: 1)
        settings.settleSeconds = 0
        let index = try CallIndex(path: settings.database)
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "callvault.test") { _ in handler }
        let worker = Worker(settings: settings, index: index, logger: logger, progress: ProgressReporter(live: false))
        let summary = try await worker.run(once: true, stop: StopSignal())
        #expect(summary.archived == 1 && summary.failed == 1)

        let archived = try #require(handler.entries.first { $0.message.description == "archived" })
        #expect(archived.level == .info)
        #expect(archived.metadata["id"]?.description == RecordID.make(callID: "good"))
        #expect(archived.metadata["stem"]?.description == "good")
        #expect(archived.metadata["outcome"]?.description == "answered")
        let quarantined = try #require(handler.entries.first { $0.message.description == "quarantined" })
        #expect(quarantined.level == .error)
        #expect(quarantined.metadata["stem"]?.description == "bad")
        #expect(quarantined.metadata["error"]?.description.contains("bad.wav") == true)
    }
}
