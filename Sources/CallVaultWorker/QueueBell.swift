import Synchronization

/// Wakes the slots of `run --once` that found nothing to claim when the queue may have changed:
/// a job of this process finished, or ``IndexWatch`` saw another process write the index or a
/// worker's lease lock close. A slot reads ``generation`` before it looks at the queue and waits
/// only if no ring came since, so a change between the look and the wait is never missed.
final class QueueBell: Sendable {
    private struct State {
        var generation = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    var generation: Int { state.withLock { $0.generation } }

    func ring() {
        let waiters = state.withLock { s in
            s.generation += 1
            defer { s.waiters = [:] }
            return s.waiters
        }
        for waiter in waiters.values { waiter.resume() }
    }

    /// Returns when rung after `seen`, at `deadline` (a time computed from the queue), or on cancellation.
    func wait(after seen: Int, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.rung(after: seen) }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    private func rung(after seen: Int) async {
        let id = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s in
                    if s.generation != seen || Task.isCancelled { return true }
                    s.waiters[id] = waiter
                    return false
                }
                if now { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
