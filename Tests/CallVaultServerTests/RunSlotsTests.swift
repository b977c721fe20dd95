@testable import CallVaultServer
import Foundation
import Synchronization
import Testing

@Suite("Report slots: at most N runs at once, the others wait their turn")
struct RunSlotsTests {
    /// How many runs are inside at once, and the most there ever were.
    final class Gauge: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test("twelve runs through two slots: every one finishes, never more than two inside, an error frees its slot")
    func twoAtATime() async throws {
        let slots = RunSlots(count: 2)
        let gauge = Gauge()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<12 {
                group.addTask {
                    do {
                        return try await slots.run {
                            gauge.enter()
                            defer { gauge.leave() }
                            try await Task.sleep(for: .milliseconds(20))
                            if i % 5 == 0 { throw CancellationError() }
                            return i
                        }
                    } catch is CancellationError { return -1 }
                }
            }
            var all: [Int] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 12)
        #expect(results.filter { $0 == -1 }.count == 3, "runs 0, 5 and 10 threw, and their slots went to the others")
        #expect(gauge.most == 2)
    }
}
