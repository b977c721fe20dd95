import CallVaultStore
import Foundation
import Synchronization

/// The campaign names the calls form offers, read from the index at most every ``maxAge`` seconds.
///
/// The list (registry campaigns and those on calls) was read on every search request, a seventh of
/// the page's time once the calls themselves were cheap. A campaign imported a moment ago appears
/// in the form within ``maxAge``; the search itself always reads the index.
final class CampaignList: Sendable {
    static let maxAge: TimeInterval = 5
    private let cached = Mutex<(names: [String], read: Date)?>(nil)

    func names(_ store: any ServerStore, now: Date) async throws -> [String] {
        if let hit = cached.withLock({ $0 }), now.timeIntervalSince(hit.read) < Self.maxAge, now >= hit.read {
            return hit.names
        }
        let names = try await store.campaignNames()
        cached.withLock { $0 = (names, now) }
        return names
    }
}
