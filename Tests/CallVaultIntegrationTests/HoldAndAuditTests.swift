import Foundation
import Testing

/// A UK installation (`default_country_code = "44"`) with real calls: two from 020 7946 0958
/// on +44 20 7946 0000, one from +1 415 555 0100 on 020 7946 0001.
private struct UKFixture {
    let f: SpoolFixture
    var config: String { f.root.appendingPathComponent("callvault.toml").path }

    init(name: String = #function) throws {
        f = try SpoolFixture(name: name)
        try """
        \(ConfigText.storage)
        default_country_code = "44"

        [[retention.rules]]
        name = "default"
        keep_audio_days = 30
        keep_record_days = 60
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let calls: [(String, String, String, String)] = [
            ("uk1", "speech.wav", "+44 20 7946 0000", "020 7946 0958"),
            ("uk2", "missed.wav", "+44 20 7946 0000", "020 7946 0958"),
            ("us1", "speech.wav", "020 7946 0001", "+1 415 555 0100"),
        ]
        for (stem, fixture, number, caller) in calls {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: "2026-01-10T12:00:00Z", callID: stem,
                                                                                extra: ["caller": caller]))
        }
        let r = try cli(["run", "--once"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    func cli(_ args: [String]) throws -> Support.Result { try Support.callvault(args + ["--config", config]) }
    func id(_ callID: String) throws -> String { try #require(try f.sql("SELECT id FROM calls WHERE call_id = '\(callID)'").first?.first) }
    func records() throws -> Set<String> { Set(try f.sql("SELECT call_id FROM calls").map { $0[0] }) }
    /// The ids and details of the newest audit entry with `action`.
    func lastAudit(_ action: String) throws -> (ids: [String], details: [String: String]) {
        let row = try #require(try f.sql("SELECT ids, details FROM audit WHERE action = '\(action)' ORDER BY seq DESC LIMIT 1").first)
        return (try JSONDecoder().decode([String].self, from: Data(row[0].utf8)),
                try JSONDecoder().decode([String: String].self, from: Data(row[1].utf8)))
    }
}

@Suite("Legal holds read numbers like query does, cover what they say, and the audit keeps the real clock", .serialized)
struct HoldAndAuditTests {
    @Test("under a UK config a hold by local notation covers the UK caller's calls and survives retention; a NANP-looking number does not hold +1 calls")
    func holdUsesConfiguredCountryCode() throws {
        let uk = try UKFixture()
        defer { uk.f.remove() }
        #expect(try uk.f.sql("SELECT call_id, caller, tracking_number FROM calls ORDER BY call_id")
                == [["uk1", "+442079460958", "+442079460000"], ["uk2", "+442079460958", "+442079460000"], ["us1", "+14155550100", "+442079460001"]])
        let query = try Support.jsonArray(try uk.cli(["query", "--caller", "020 7946 0958", "--format", "json"]).stdout)
        #expect(query.count == 2)

        let h1 = try uk.cli(["hold", "add", "H1", "--reason", "case 1", "--caller", "020 7946 0958"])
        #expect(h1.status == 0 && h1.stdout.contains("covers 2 calls"), "\(h1.stdout)\(h1.stderr)")
        #expect(try uk.f.sql("SELECT caller FROM holds WHERE name = 'H1'") == [["+442079460958"]])
        #expect(try Set(uk.lastAudit("hold_added").ids) == [uk.id("uk1"), uk.id("uk2")])

        // Under "44", 415 555 0100 is a UK national number, not the American caller.
        let h7 = try uk.cli(["hold", "add", "H7", "--reason", "case 7", "--caller", "415 555 0100"])
        #expect(h7.status == 0 && h7.stdout.contains("covers no call"), "\(h7.stdout)\(h7.stderr)")
        #expect(try uk.f.sql("SELECT caller FROM holds WHERE name = 'H7'") == [["+444155550100"]])
        #expect(try uk.lastAudit("hold_added").ids.isEmpty)

        // The tracking number by local notation too.
        let t1 = try uk.cli(["hold", "add", "T1", "--reason", "case t", "--tracking-number", "020 7946 0001"])
        #expect(t1.status == 0 && t1.stdout.contains("covers 1 calls"), "\(t1.stdout)\(t1.stderr)")
        #expect(try uk.lastAudit("hold_added").ids == [uk.id("us1")])

        let kept = try uk.cli(["retention", "apply", "--now", "2028-01-01"])
        #expect(kept.status == 0 && kept.stdout.contains("3 held calls skipped"), "\(kept.stdout)\(kept.stderr)")
        #expect(try uk.records() == ["uk1", "uk2", "us1"])
        #expect(try uk.cli(["hold", "remove", "T1", "--reason", "closed"]).status == 0)
        let applied = try uk.cli(["retention", "apply", "--now", "2028-01-01"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try uk.records() == ["uk1", "uk2"], "H7 must not hold the +1 caller's call")
        #expect(try Support.callvault(["verify", "--config", uk.config]).status == 0)
    }

    @Test("hold add prints and audits only this hold's coverage, and warns on an unknown id, campaign or an invalid number")
    func holdAddReportsItsOwnCoverage() throws {
        let uk = try UKFixture()
        defer { uk.f.remove() }
        let r1 = try uk.cli(["hold", "add", "R1", "--reason", "r", "--id", "uk1"])
        #expect(r1.status == 0 && r1.stdout.contains("covers 1 calls") && r1.stderr.isEmpty, "\(r1.stdout)\(r1.stderr)")
        #expect(try uk.lastAudit("hold_added").ids == [uk.id("uk1")])

        let b2 = try uk.cli(["hold", "add", "B2", "--reason", "r", "--id", "bogus2"])
        #expect(b2.status == 0, "an id of a call that has not arrived yet is a legitimate hold")
        #expect(b2.stdout.contains("covers no call now") && !b2.stdout.contains("covers 1"), "\(b2.stdout)")
        #expect(b2.stderr.contains("warning") && b2.stderr.contains("\"bogus2\""), "\(b2.stderr)")
        let b2Audit = try uk.lastAudit("hold_added")
        #expect(b2Audit.ids.isEmpty, "B2's audit entry listed another hold's calls: \(b2Audit.ids)")
        #expect(b2Audit.details["covered_now"] == "0" && b2Audit.details["name"] == "B2")
        #expect(b2Audit.details["unknown_ids"] != nil)

        let c3 = try uk.cli(["hold", "add", "C3", "--reason", "r", "--campaign", "Serch-Brand"])
        #expect(c3.status == 0 && c3.stderr.contains("\"Serch-Brand\""), "\(c3.stderr)")
        #expect(try uk.lastAudit("hold_added").details["unknown_campaign"] == "Serch-Brand")

        let n4 = try uk.cli(["hold", "add", "N4", "--reason", "r", "--caller", "not a number"])
        #expect(n4.status == 0 && n4.stderr.contains("not a valid phone number") && n4.stderr.contains("44"), "\(n4.stderr)")
        #expect(try uk.lastAudit("hold_added").details["warnings"]?.contains("not a valid phone number") == true)

        let withheld = try uk.cli(["hold", "add", "W5", "--reason", "r", "--caller", "anonymous"])
        #expect(withheld.status == 2, "\(withheld.stderr)")

        let list = try Support.jsonArray(try uk.cli(["hold", "list", "--format", "json"]).stdout)
        #expect(Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "?", $0["calls"] as? Int ?? -1) })
                == ["R1": 1, "B2": 0, "C3": 0, "N4": 0])
    }

    @Test("retention apply --now in the future: audit entries carry the real clock and the simulated time in their details")
    func auditKeepsTheRealClock() throws {
        let uk = try UKFixture()
        defer { uk.f.remove() }
        let before = Date()
        let applied = try uk.cli(["retention", "apply", "--now", "2029-06-01T00:00:00Z"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let after = Date().addingTimeInterval(1)
        let rows = try uk.f.sql("SELECT action, at, json_extract(details, '$.simulated_now') FROM audit ORDER BY seq")
        #expect(Set(rows.map { $0[0] }) == ["policy_set", "audio_deleted", "record_deleted"], "\(rows)")
        let iso = ISO8601DateFormatter()
        for row in rows {
            let at = try #require(iso.date(from: row[1]), "\(row)")
            #expect(at >= before.addingTimeInterval(-1) && at <= after, "an audit entry dated \(row[1]) (the simulated clock?)")
            #expect(row[2] == "2029-06-01T00:00:00Z", "\(row)")
        }
        let future = try uk.cli(["audit", "list", "--since", iso.string(from: after.addingTimeInterval(86_400)), "--format", "json"])
        #expect(future.status == 0)
        #expect((try Support.json(future.stdout) as? [Any])?.isEmpty == true, "entries dated in the future: \(future.stdout)")
        // A plain apply (real clock) adds no simulated_now.
        #expect(try uk.cli(["hold", "add", "X", "--reason", "r", "--id", "uk1"]).status == 0)
        #expect(try uk.lastAudit("hold_added").details["simulated_now"] == nil)
    }

    @Test("verify --format csv is refused with exit 2 (the report is not one table)")
    func verifyRefusesCSV() throws {
        let uk = try UKFixture()
        defer { uk.f.remove() }
        let r = try uk.cli(["verify", "--format", "csv"])
        #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.contains("csv"), "\(r.status) \(r.stdout)\(r.stderr)")
        #expect(try uk.cli(["verify", "--format", "json"]).status == 0)
        #expect(try uk.f.sql("SELECT count(*) FROM audit WHERE action = 'verify_failed'") == [["0"]])
    }
}
