import Synchronization

/// Set when the run should stop: workers finish the job in hand, claim no more, and the run exits
/// cleanly. ``WorkerService`` sets it on the ServiceGroup's graceful shutdown (the first SIGINT or
/// SIGTERM); tests set it by hand. Waiters register ``onSet(_:)`` to wake at once.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let observers = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() {
        flag.store(true, ordering: .releasing)
        for observer in observers.withLock({ $0 }) { observer() }
    }

    /// Calls `wake` when the signal is set (at once if it already is).
    func onSet(_ wake: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(wake) }
        if isSet { wake() }
    }
}
