import Dispatch
import Synchronization

/// Synchronous calls over postgres-nio's async client, for the worker's ``QueueStore`` (whose
/// steps are synchronous, as GRDB's are): the async work runs as a task on the global concurrent
/// executor while the calling thread waits on a semaphore.
///
/// Why it cannot deadlock: the caller must not be a thread of the cooperative pool. The worker
/// runs its slots on threads of its own (CallVaultWorker's `BlockingThreads`, preferred as their
/// task executor), so the cooperative pool, which this task and the client's connection pool need,
/// is never held by a waiting slot. The task is created with the global executor preferred
/// explicitly, so it never inherits the waiting thread's executor.
enum PostgresBlocking {
    /// Runs `body` and waits for its result on this (non-cooperative) thread.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = OneShot<Result<T, any Error>>()
        Task(executorPreference: globalConcurrentExecutor) {
            do { result.provide(.success(try await body())) } catch { result.provide(.failure(error)) }
        }
        return try result.wait().get()
    }
}

/// A value given once by one thread and waited for by another, synchronously.
final class OneShot<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)
    private let given = DispatchSemaphore(value: 0)

    /// The first value given wins; later ones are ignored.
    func provide(_ newValue: Value) {
        let first = stored.withLock { current -> Bool in
            guard current == nil else { return false }
            current = newValue
            return true
        }
        if first { given.signal() }
    }

    func wait() -> Value {
        while true {
            if let value = stored.withLock({ $0 }) { return value }
            given.wait()
            given.signal()  // any other waiter passes too
        }
    }
}

/// A decision made once on a worker thread and awaited by a task (the transaction's commit or
/// rollback): the task suspends, holding no thread, until it is made.
final class AsyncDecision: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Bool, Never>?)
        case decided(Bool)
    }
    private let state = Mutex(State.waiting(nil))

    func decide(_ value: Bool) {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard case .waiting(let waiter) = s else { return nil }
            s = .decided(value)
            return waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Bool {
        await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let decided = state.withLock { s -> Bool? in
                switch s {
                case .decided(let value): return value
                case .waiting: s = .waiting(waiter); return nil
                }
            }
            if let decided { waiter.resume(returning: decided) }
        }
    }
}
