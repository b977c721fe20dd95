import Logging
import ServiceLifecycle

/// `callvault run` as one swift-service-lifecycle ServiceGroup: ``SecondSignalExit``, in watch mode
/// the ``MetricsEndpoint`` when asked for, and the ``WorkerService``. The first SIGTERM or SIGINT
/// shuts the group down gracefully, in reverse order: the worker finishes its jobs in hand, then the
/// endpoint closes. With `once`, the worker's return ends the group the same way.
///
/// ```swift
/// let services = RunServices(worker: worker, once: false, metricsListen: try .init("127.0.0.1:9464"), logger: logger)
/// let summary = try await services.run()   // until SIGTERM
/// ```
public struct RunServices: Sendable {
    public let worker: WorkerService
    public let group: ServiceGroup

    public init(worker: Worker, once: Bool, metricsListen: MetricsEndpoint.Address? = nil, logger: Logger) {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: SecondSignalExit())]
        let stop = StopSignal()
        var ready: AsyncStream<Void>?
        if let metricsListen {
            let (stream, listening) = AsyncStream.makeStream(of: Void.self)
            ready = stream
            let progress = worker.progress
            services.append(.init(service: MetricsEndpoint(address: metricsListen, logger: logger, content: {
                (MetricsFile.render(summary: progress.snapshot(), succeeded: true), !stop.isSet)
            }, listening: { port in
                logger.info("serving metrics", metadata: ["listen": "\(metricsListen.text)", "port": "\(port)"])
                listening.yield()
                listening.finish()
            })))
        }
        self.worker = WorkerService(worker: worker, once: once, stop: stop, ready: ready)
        services.append(.init(service: self.worker, successTerminationBehavior: .gracefullyShutdownGroup))
        group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// Runs the group to its end and returns the worker's summary.
    public func run() async throws -> RunSummary {
        try await group.run()
        return worker.summary ?? RunSummary()
    }
}
