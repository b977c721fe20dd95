import Foundation
import Testing

private let racePolicy = ConfigText.storage + "\n\n" + ConfigText.threeRetentionRules

/// Four unanswered calls (three on +14155550101, one on +14155550199), none attributed, due under
/// `unanswered` at 2026-03-01; `retention apply` is started and held at `retention.before-apply`
/// (after planning) while the test changes the index under it.
private struct RaceFixture {
    let f: SpoolFixture
    var config: String { f.root.appendingPathComponent("callvault.toml").path }
    var gate: String { f.root.appendingPathComponent("gate").path }

    init(name: String = #function) throws {
        f = try SpoolFixture(name: name)
        try racePolicy.write(toFile: config, atomically: true, encoding: .utf8)
        for (stem, fixture, number) in [("m1", "missed.wav", "+14155550101"), ("m2", "abandoned.wav", "+14155550101"),
                                        ("m3", "missed.wav", "+14155550101"), ("other", "missed.wav", "+14155550199")] {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: "2026-01-10T12:00:00Z", callID: stem,
                                                                                extra: ["caller": "(212) 555-0187"]))
        }
        let r = try Support.callvault(["run", "--once", "--config", config])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Starts the apply, waits until it has planned, runs `during`, lets it go on, returns its result.
    func applyWhile(_ during: () throws -> Void) throws -> (status: Int32, stdout: String) {
        let out = Pipe()
        let p = try Support.start(["retention", "apply", "--config", config, "--now", "2026-03-01T00:00:00Z", "--format", "json"],
                                  environment: ["CALLVAULT_FAULT_WAIT": "retention.before-apply:\(gate)"], stdout: out)
        let reached = Support.waitFor(gate + ".reached")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try #require(reached, "the apply never reached its planning point")
        try during()
        try Support.createFile(gate, nil)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("retention apply re-checks each call where it deletes it", .serialized)
struct RetentionRaceTests {
    @Test("a numbers import during the apply moves calls to a campaign kept longer: they are kept, dated by their new rule")
    func importDuringApply() throws {
        let r = try RaceFixture()
        defer { r.f.remove() }
        #expect(try r.f.sql("SELECT DISTINCT retention_rule FROM calls") == [["unanswered"]])
        let registry = r.f.root.appendingPathComponent("registry.csv").path
        try "tracking_number,campaign,source,medium,valid_from,valid_to\n+14155550101,Compliance-Calls,google,cpc,,\n"
            .write(toFile: registry, atomically: true, encoding: .utf8)
        let applied = try r.applyWhile {
            let imported = try Support.callvault(["numbers", "import", registry, "--config", r.config])
            #expect(imported.status == 0, "\(imported.stderr)")
        }
        #expect(applied.status == 0)
        let summary = try Support.jsonObject(applied.stdout)
        #expect(summary["audio_deleted"] as? Int == 1, "\(applied.stdout)")
        #expect(summary["no_longer_due"] as? Int == 3, "\(applied.stdout)")
        #expect(try r.f.sql("SELECT call_id FROM calls WHERE audio_purged_at IS NOT NULL") == [["other"]])
        #expect(try r.f.sql("SELECT call_id, retention_rule, retain_audio_until FROM calls WHERE campaign = 'Compliance-Calls' ORDER BY call_id")
                == [["m1", "compliance", "2033-01-10T12:00:00Z"], ["m2", "compliance", "2033-01-10T12:00:00Z"],
                    ["m3", "compliance", "2033-01-10T12:00:00Z"]])
        #expect(try r.f.sql("SELECT ids, reason FROM audit WHERE action = 'audio_deleted'").count == 1)
        for row in try r.f.sql("SELECT archive_path, sha256 FROM calls WHERE audio_purged_at IS NULL") {
            #expect(try r.f.sha256(r.f.archive + "/" + row[0]) == row[1], "\(row[0]) kept with its SHA-256")
        }
        #expect(try Support.callvault(["verify", "--config", r.config]).status == 0)
    }

    @Test("a hold placed during the apply: the calls it saves are counted in held_skipped")
    func holdDuringApply() throws {
        let r = try RaceFixture()
        defer { r.f.remove() }
        let applied = try r.applyWhile {
            let hold = try Support.callvault(["hold", "add", "LATE", "--reason", "subpoena", "--tracking-number", "+14155550101", "--config", r.config])
            #expect(hold.status == 0, "\(hold.stderr)")
        }
        #expect(applied.status == 0)
        let summary = try Support.jsonObject(applied.stdout)
        #expect(summary["held_skipped"] as? Int == 3, "\(applied.stdout)")
        #expect(summary["audio_deleted"] as? Int == 1, "\(applied.stdout)")
        #expect(try r.f.sql("SELECT call_id FROM calls WHERE audio_purged_at IS NOT NULL") == [["other"]])
    }
}
