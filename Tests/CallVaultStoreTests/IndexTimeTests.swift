@testable import CallVaultStore
import CallVaultCore
import Foundation
import Testing

@Suite("IndexTime: the index's own time form read by its fast path, the same as the general parser")
struct IndexTimeTests {
    @Test("every second of a random sample of 20,000 instants, years 1 to 9999, reads as the general parser reads it")
    func fastPathAgrees() {
        var generator = SystemRandomNumberGenerator()
        let first = Timestamp.days(fromCivil: 1, 1, 1) * 86400, last = 253_402_300_799
        for _ in 0..<20_000 {
            let seconds = Int.random(in: first...last, using: &generator)
            let text = IndexTime.text(Date(timeIntervalSince1970: Double(seconds)))
            #expect(IndexTime.canonicalSeconds(text) == seconds, "\(text)")
            #expect(IndexTime.date(text) == Timestamp.parseInstant(text), "\(text)")
        }
    }

    @Test("edges: leap days, the last second of a year and of the format; anything out of range or not canonical goes to the general parser")
    func edges() {
        for text in ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                     "2026-12-31T23:59:59Z", "0001-01-01T00:00:00Z"] {
            #expect(IndexTime.canonicalSeconds(text) != nil, "\(text)")
            #expect(IndexTime.date(text) == Timestamp.parseInstant(text), "\(text)")
        }
        for text in ["2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                     "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28T14:60:00Z",
                     "2026-11-28T14:03:60Z", "2026-11-28T14:03:00+01:00", "2026-11-28 14:03:00Z", "2026-11-28T14:03:00z",
                     "2026-11-28T14:03:00.5Z", "2026-11-28T14:03:0aZ", "+026-11-28T14:03:00Z", "２026-11-28T14:03:00Z", ""] {
            #expect(IndexTime.canonicalSeconds(text) == nil, "\(text)")
            #expect(IndexTime.date(text) == Timestamp.parseInstant(text), "\(text)")
        }
    }
}
