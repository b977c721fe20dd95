/// At most `count` runs at once; the others wait their turn (in order), suspended.
///
/// The web application's reports on PostgreSQL hold a read transaction while a second one counts
/// the other half of the caller pass (and a third reads the report's sums): enough reports at
/// once would hold every connection of the pool while each waits for another, and none would
/// finish. Two at a time is what two cores run anyway, and leaves the pool room for the pages.
actor RunSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = max(1, count) }

    /// Runs `body` in a slot, waiting for one first when all are taken.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 { free -= 1 } else { await withCheckedContinuation { waiting.append($0) } }
        defer { release() }
        return try await body()
    }

    private func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
