import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

@Suite("Archive maintenance: export, verify, retention apply")
struct ArchiveMaintenanceTests {
    @Test("export copies a call under its readable name, checked against its SHA-256; a missing file or an unknown id is refused")
    func export() throws {
        let f = try ArchiveFixture()
        defer { f.remove() }
        let record = try f.addCall("a")
        let gone = try f.addCall("b")
        try FileManager.default.removeItem(atPath: f.archive + "/" + gone.archivePath)
        let out = f.folder + "/qa"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let export = ArchiveExport(index: f.index, archiveRoot: f.archive)
        #expect(try export.copy("a", to: out) == .copied(out + "/" + record.exportFileName))
        #expect(record.exportFileName == "2026-11-20_1400_unassigned_anonymous_\(record.id).opus")
        #expect(FileManager.default.contents(atPath: out + "/" + record.exportFileName) == Data(repeating: 7, count: 300))
        guard case .refused(let missing) = try export.copy(gone.id, to: out) else { Issue.record("a missing file was exported"); return }
        #expect(missing.contains("archive file missing"))
        #expect(try export.copy("nobody", to: out) == .refused("no call \"nobody\""))
    }

    @Test("verify reports a missing file, an altered file and an orphan, and audits the failure")
    func verify() throws {
        let f = try ArchiveFixture()
        defer { f.remove() }
        let missing = try f.addCall("m")
        let altered = try f.addCall("x")
        try f.addCall("ok")
        try FileManager.default.removeItem(atPath: f.archive + "/" + missing.archivePath)
        try Support.createFile(f.archive + "/" + altered.archivePath, Data([1, 2, 3]))
        try Support.createFile(f.archive + "/stray.opus", Data([0]))
        let report = try Verifier(index: f.index, archiveRoot: f.archive).run(sample: nil, since: nil, now: Date())
        #expect(report.checked == 3 && report.missing == [missing.id] && report.altered == [altered.id] && report.orphans == ["stray.opus"])
        #expect(!report.clean)
        #expect(try AuditLog(index: f.index).entries().last?.action == "verify_failed")
    }

    @Test("retention apply marks the audio purged, audits it, then deletes the file; the record stays until its own date")
    func retentionApply() throws {
        let f = try ArchiveFixture()
        defer { f.remove() }
        let record = try f.addCall("old")
        let policy = RetentionPolicy(rules: [.init(name: "short", keepAudioDays: 1, keepRecordDays: 3650)])
        let now = try #require(Timestamp.parseInstant("2026-11-25T00:00:00Z"))
        let retention = Retention(index: f.index, archiveRoot: f.archive)
        #expect(try retention.recompute(policy, now: now).changed == 1)
        let plan = try retention.plan(now: now)
        #expect(plan.items.map(\.id) == [record.id] && plan.items.first?.action == .deleteAudio && plan.items.first?.outcome == .answered)
        let summary = try retention.apply(plan, policy: policy, now: now)
        #expect(summary.audioDeleted == 1 && summary.recordsDeleted == 0 && summary.bytesFreed == 300)
        #expect(!FileManager.default.fileExists(atPath: f.archive + "/" + record.archivePath))
        let stored = try #require(try f.index.call(id: record.id))
        #expect(stored.audioPurgedAt == now && stored.retentionRule == "short")
        #expect(try AuditLog(index: f.index).entries().map(\.action).contains("audio_deleted"))
    }

    @Test("retention recompute stops at a call whose started_at is not a time, naming it, instead of skipping it")
    func recomputeUnparseableStart() throws {
        let f = try ArchiveFixture()
        defer { f.remove() }
        try f.addCall("fine")
        let bad = try f.addCall("bad")
        try f.index.pool.write { db in
            try db.execute(sql: "UPDATE calls SET started_at = '2026-11-20 14:00:00' WHERE id = ?", arguments: [bad.id])
        }
        let policy = RetentionPolicy(rules: [.init(name: "short", keepAudioDays: 1, keepRecordDays: 3650)])
        let retention = Retention(index: f.index, archiveRoot: f.archive)
        let error = #expect(throws: IndexError.self) { try retention.recompute(policy, now: Date()) }
        #expect(error?.message.contains("call \(bad.id): started_at \"2026-11-20 14:00:00\" is not a time") == true)
        #expect(try retention.plan(now: Date()).items.isEmpty, "no call was dated")
    }
}
