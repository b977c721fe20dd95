import CallVaultCore
import Foundation
import Testing

@Suite("min_keep_days: a mandatory minimum that neither retention nor erasure crosses")
struct MandatoryMinimumTests {
    static let start = Date(timeIntervalSince1970: 1_768_046_400)  // 2026-01-10T12:00:00Z
    static let policy = RetentionPolicy(rules: [
        .init(name: "mifid", campaign: "Compliance-*", keepAudioDays: 30, keepRecordDays: 30, minKeepDays: 1826),
        .init(name: "default", keepAudioDays: 365, keepRecordDays: 730),
    ])
    static func facts(_ campaign: String?) -> RetentionPolicy.Facts {
        .init(campaign: campaign, source: nil, outcome: .answered, trackingNumber: "+14155550100", startedAt: start)
    }

    @Test("keep days below the minimum are raised to it; a rule without one keeps its days")
    func retentionRaised() {
        let r = Self.policy.retention(for: Self.facts("Compliance-Q1"))
        #expect(r.audioUntil == Self.start.addingTimeInterval(1826 * 86400) && r.recordUntil == r.audioUntil && r.rule == "mifid")
        let d = Self.policy.retention(for: Self.facts("Search"))
        #expect(d.audioUntil == Self.start.addingTimeInterval(365 * 86400) && d.recordUntil == Self.start.addingTimeInterval(730 * 86400))
    }

    @Test("the minimum covers a call until its last instant, and not after")
    func minimumEdges() {
        let until = Self.start.addingTimeInterval(1826 * 86400)
        let inside = Self.policy.mandatoryMinimum(for: Self.facts("Compliance-Q1"), now: until.addingTimeInterval(-1))
        #expect(inside?.rule == "mifid" && inside?.days == 1826 && inside?.until == until)
        #expect(Self.policy.mandatoryMinimum(for: Self.facts("Compliance-Q1"), now: until) == nil)
        #expect(Self.policy.mandatoryMinimum(for: Self.facts("Search"), now: Self.start) == nil)
    }

    @Test("a policy without minimums keeps its fingerprint; a minimum changes it; a negative one is a problem")
    func fingerprintAndProblems() {
        let plain = RetentionPolicy(rules: [.init(name: "default", keepAudioDays: 365, keepRecordDays: 730)])
        #expect(plain.fingerprint == "default\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}365\u{1f}730")
        let withMinimum = RetentionPolicy(rules: [.init(name: "default", keepAudioDays: 365, keepRecordDays: 730, minKeepDays: 400)])
        #expect(withMinimum.fingerprint != plain.fingerprint)
        let negative = RetentionPolicy(rules: [.init(name: "default", keepAudioDays: 1, keepRecordDays: 1, minKeepDays: -1)])
        #expect(negative.problems() == ["retention rule \"default\": days must not be negative"])
    }
}
