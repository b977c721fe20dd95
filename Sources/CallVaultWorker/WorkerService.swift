import Foundation
import ServiceLifecycle
import Synchronization

/// The ``Worker`` as a swift-service-lifecycle service: graceful shutdown sets its ``StopSignal``,
/// so the jobs in hand finish and no more are claimed; its ``summary`` is read after the group ends.
///
/// With `ready`, it starts only once that stream yields (the metrics endpoint is listening): a run
/// whose `--metrics-listen` address cannot be bound fails before it claims anything.
public final class WorkerService: Service, Sendable {
    public let worker: Worker
    public let once: Bool
    public let stop: StopSignal
    private let ready: AsyncStream<Void>?
    private let result = Mutex<RunSummary?>(nil)

    public init(worker: Worker, once: Bool, stop: StopSignal = StopSignal(), ready: AsyncStream<Void>? = nil) {
        self.worker = worker
        self.once = once
        self.stop = stop
        self.ready = ready
    }

    /// The run's summary; nil until the worker returned.
    public var summary: RunSummary? { result.withLock { $0 } }

    public func run() async throws {
        if let ready {
            for await _ in ready { break }
            if Task.isCancelled { return }
        }
        let summary = try await withGracefulShutdownHandler {
            try await worker.run(once: once, stop: stop)
        } onGracefulShutdown: { [stop] in
            if !stop.isSet {
                FileHandle.standardError.write(Data("\ncallvault: stopping after the jobs in hand (signal again to exit now)\n".utf8))
            }
            stop.set()
        }
        result.withLock { $0 = summary }
    }
}
