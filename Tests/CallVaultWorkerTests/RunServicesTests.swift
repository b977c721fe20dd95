import CallVaultStore
import CallVaultWorker
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// A worker over an empty spool in a temporary folder.
private struct EmptyInstallation {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-services-\(UUID().uuidString.prefix(8))")

    func worker() throws -> Worker {
        for folder in ["spool/incoming", "archive"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        var settings = WorkerSettings(spool: root.appendingPathComponent("spool").path, archive: root.appendingPathComponent("archive").path,
                                      database: root.appendingPathComponent("index.sqlite").path, workers: 2)
        settings.pollSeconds = 0.2
        return Worker(settings: settings, index: try CallIndex(path: settings.database), logger: Logger(label: "callvault.test"),
                      progress: ProgressReporter(live: false))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite("callvault run as services")
struct RunServicesTests {
    @Test("the watching worker stops on graceful shutdown and leaves its summary")
    func workerStopsOnGracefulShutdown() async throws {
        let installation = EmptyInstallation()
        defer { installation.remove() }
        let service = WorkerService(worker: try installation.worker(), once: false)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try await Task.sleep(for: .milliseconds(300))
                #expect(service.summary == nil, "a watching worker returned by itself")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(service.stop.isSet)
        let summary = try #require(service.summary)
        #expect(summary.archived == 0 && summary.stoppedBecause == nil)
    }

    @Test("--once: the worker's return ends the group, with no signal")
    func onceEndsTheGroup() async throws {
        let installation = EmptyInstallation()
        defer { installation.remove() }
        let summary = try await RunServices(worker: try installation.worker(), once: true, logger: Logger(label: "callvault.test")).run()
        #expect(summary.archived == 0 && summary.failed == 0)
    }

    @Test("the metrics endpoint serves /metrics and /healthz until the group shuts down, then the worker and it stop")
    func metricsEndpointInTheGroup() async throws {
        let installation = EmptyInstallation()
        defer { installation.remove() }
        let port = Mutex<Int?>(nil)
        let worker = try installation.worker()
        let stop = StopSignal()
        let endpoint = MetricsEndpoint(address: try .init("127.0.0.1:0"), logger: Logger(label: "callvault.test"),
                                       content: { (MetricsFile.render(summary: worker.progress.snapshot(), succeeded: true), !stop.isSet) },
                                       listening: { bound in port.withLock { $0 = bound } })
        let service = WorkerService(worker: worker, once: false, stop: stop)
        let group = ServiceGroup(configuration: .init(services: [.init(service: endpoint), .init(service: service)], logger: Logger(label: "callvault.test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            for _ in 0..<600 where bound == nil {  // up to 30 s on a loaded machine
                try await Task.sleep(for: .milliseconds(50))
                bound = port.withLock { $0 }
            }
            let base = "http://127.0.0.1:\(try #require(bound, "the endpoint never listened"))"
            // Generous timeouts: the suite's synchronous tests can hold both threads of the shared
            // pool for minutes on a two-core machine, and the endpoint's answers wait for one.
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = 600
            configuration.timeoutIntervalForResource = 600
            let session = URLSession(configuration: configuration)
            func get(_ path: String) async throws -> (Data, URLResponse) {
                try await session.data(for: URLRequest(url: try #require(URL(string: base + path)), timeoutInterval: 600))
            }
            let (health, healthResponse) = try await get("/healthz")
            #expect(String(decoding: health, as: UTF8.self) == "ok\n")
            #expect((healthResponse as? HTTPURLResponse)?.statusCode == 200)
            let (metrics, metricsResponse) = try await get("/metrics?x=1")
            #expect(String(decoding: metrics, as: UTF8.self).contains("callvault_calls_archived_total 0"))
            #expect((metricsResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let (other, otherResponse) = try await get("/other")
            #expect(String(decoding: other, as: UTF8.self) == "try /metrics or /healthz\n")
            #expect((otherResponse as? HTTPURLResponse)?.statusCode == 404)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(stop.isSet)
        #expect(service.summary != nil)
    }

    @Test("--metrics-listen takes an IPv4 HOST:PORT and names what is wrong", arguments: [
        ("0.0.0.0:9464", nil), (":9464", nil), ("localhost:9464", "not an IPv4 address"), ("127.0.0.1", "must be HOST:PORT"),
        ("127.0.0.1:99999", "must be HOST:PORT"),
    ])
    func listenAddress(text: String, problem: String?) {
        do {
            let address = try MetricsEndpoint.Address(text)
            #expect(problem == nil)
            #expect(address.host == "0.0.0.0" && address.port == 9464)
        } catch {
            #expect(problem.map { "\(error)".contains($0) } == true, "\(error)")
        }
    }
}
