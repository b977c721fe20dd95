import ArgumentParser
import CallVaultAudio
import CallVaultCore
import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import CallVaultWorker
import Foundation
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Archive and index every recording in the spool, exactly once.",
        discussion: """
        A phone system drops pairs into SPOOL/incoming/: the audio (STEM.wav, .gsm, .ulaw, ...) and, \
        written last, its sidecar STEM.json:

          {"tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z",
           "call_id": "1732802580.42", "caller": "(212) 555-0187",
           "disposition": "ANSWERED", "channels": ["caller", "agent"],
           "metadata": {"queue": "sales"}}

        Each pair becomes ARCHIVE/YYYY/MM/DD/ID.opus and a row in the index; the inputs then \
        leave incoming/ (or move to SPOOL/done/ with keep_originals). A pair that cannot be \
        archived moves to SPOOL/failed/ beside STEM.error.json, which says why in one sentence.

        The first run writes ARCHIVE/.callvault-archive (naming the index) and records the root \
        in the index; later runs and commands given no --archive use that root, and a folder \
        that is not this index's archive is refused (see "Moving an archive" in the README).

        Jobs live in the index with leases, so a killed worker's jobs are taken over and any \
        number of `callvault run` processes can share one spool and index.

        Examples:
          callvault run --once --spool /var/spool/calls --archive /srv/calls \\
              --db /srv/calls/index.sqlite
          callvault run --config /etc/callvault.toml          # watch until SIGTERM

        Exit status: 0 every ready pair archived; 3 some quarantined; 2 usage or configuration \
        error; 1 fatal error (e.g. the archive disk is full: nothing is lost, rerun when freed).
        """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var log: LogOptions

    @Option(help: "Concurrent jobs (default: the config's, else the number of cores).")
    var workers: Int?

    @Flag(help: "Drain everything ready, then exit (for cron and nightly batches).")
    var once = false

    @Option(help: "Write Prometheus metrics here at the end (node_exporter textfile convention, atomic); in watch mode also after every scan.")
    var metricsFile: String?

    @Option(help: "In watch mode, serve GET /metrics and /healthz on HOST:PORT (e.g. 0.0.0.0:9464).")
    var metricsListen: String?

    @Option(help: "A pair is ready when neither file changed for this many seconds (default: the config's queue.settle_seconds, else \(helpNumber(Settings.Defaults.settleSeconds)); 0: at once). --once waits for pairs still being written.")
    var settleSeconds: Double?

    @Option(help: "Final summary as text or json on stdout.")
    var format: SummaryFormat = .text

    func validate() throws {
        if let workers, workers < 1 || workers > 256 { throw ValidationError("--workers must be between 1 and 256") }
        if let settleSeconds, !(settleSeconds >= 0 && settleSeconds <= 3600) { throw ValidationError("--settle-seconds must be between 0 and 3600") }
        if metricsListen != nil && once { throw ValidationError("--metrics-listen serves metrics while watching; it cannot be used with --once (use --metrics-file)") }
    }

    func run() async throws {
        log.bootstrap()
        do {
            try await runAndWriteMetrics()
        } catch let error where !(error is ExitCode) {
            // A run that fails before its summary (missing folder, bad config, unusable index)
            // still says so in the metrics file, instead of leaving the last run's success there.
            if let metricsFile, !(error is MetricsWritten) {
                try? MetricsFile(path: metricsFile).write(summary: nil, succeeded: false)
            }
            throw (error as? MetricsWritten)?.error ?? error
        }
    }

    /// An error thrown after the metrics file was written with the run's summary.
    private struct MetricsWritten: Error { let error: Error }

    private func runAndWriteMetrics() async throws {
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            try await PostgresBackend.withIndex(url, config: r.config, poolLogLevel: nil) { index in
                try await runOnPostgres(index, url: url, resolved: r)
            }
            return
        }
        if let problem = StorageLayout.problem(spool: RealPath.resolve(r.spool), archive: RealPath.resolve(r.archive), database: RealPath.resolve(r.database)) {
            throw CLIError.input(problem)
        }
        // A new installation: no index yet, so the folders are created. For an existing index a missing
        // folder is refused instead (a lost mount must not fill the root disk).
        let newInstallation = !FileManager.default.fileExists(atPath: r.database)
        let index: CallIndex
        do { index = try CallIndex(path: r.database) } catch let e as IndexError { throw CLIError(e) }
        // No --archive and none in the config: the root this index recorded at its last run.
        let archive = try ArchiveIdentity.root(given: store.givenArchive(r.config), fallback: r.archive, index: index)
        if let problem = StorageLayout.problem(spool: RealPath.resolve(r.spool), archive: RealPath.resolve(archive), database: RealPath.resolve(r.database)) {
            throw CLIError.input(problem)
        }
        if newInstallation { try createFolders(spool: r.spool, archive: archive) }
        var settings = WorkerSettings(spool: r.spool, archive: archive, database: r.database,
                                      workers: workers ?? r.settings.workers, settings: r.settings)
        if let settleSeconds { settings.settleSeconds = settleSeconds }
        try await runWorker(Worker(settings: settings, index: index, logger: Logger(label: "callvault.run"), progress: ProgressReporter()))
    }

    /// The run on a PostgreSQL index: its queue and ingest through ``PostgresQueueStore``, the lease
    /// lock in a folder of this machine. A new installation is an index without calls.
    private func runOnPostgres(_ index: PostgresIndex, url: PostgresURL, resolved r: ResolvedStore) async throws {
        // No --archive and none in the config: the root this index recorded at its last run.
        let archive = try await PostgresBackend.archiveRoot(index, given: store.givenArchive(r.config), fallback: r.archive)
        if let problem = StorageLayout.problem(spool: RealPath.resolve(r.spool), archive: RealPath.resolve(archive), database: "") {
            throw CLIError.input(problem)
        }
        if try await index.callCount() == 0 { try createFolders(spool: r.spool, archive: archive) }
        var settings = WorkerSettings(spool: r.spool, archive: archive, database: r.database,
                                      workers: workers ?? r.settings.workers, settings: r.settings)
        if let settleSeconds { settings.settleSeconds = settleSeconds }
        let spoolID: String
        do { spoolID = try SpoolIdentity.id(spool: r.spool) } catch let e as WorkerError { throw CLIError.input(e.description) }
        let queue = PostgresQueueStore(index: index, leaseSeconds: settings.leaseSeconds, spool: spoolID,
                                       attributionWindows: settings.attributionWindows)
        let backend = WorkerStore(queue: queue, identity: queue, leaseFolder: PostgresBackend.leaseFolder(url), otherHostsShareQueue: true,
                                  watchedDatabasePath: nil, checkpoint: {})
        try await runWorker(Worker(settings: settings, store: backend, logger: Logger(label: "callvault.run"), progress: ProgressReporter()))
    }

    private func createFolders(spool: String, archive: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: spool + "/incoming", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw CLIError.input("cannot create the folders of a new installation (\((error as NSError).localizedDescription))")
        }
    }

    /// Runs `worker` with the run's services, writes the metrics and prints the summary.
    private func runWorker(_ worker: Worker) async throws {
        var worker = worker
        // One value for the whole run: its counters start from the file as it is now.
        let metrics = metricsFile.map(MetricsFile.init(path:))
        if let metrics {
            worker.heartbeat = { summary in try? metrics.write(summary: summary, succeeded: true) }
        }
        let summary: RunSummary
        do {
            let listen = try metricsListen.map(MetricsEndpoint.Address.init)
            summary = try await RunServices(worker: worker, once: once, metricsListen: listen, logger: Logger(label: "callvault.run")).run()
        } catch let e as WorkerError {
            throw CLIError.input(e.description)
        } catch where IndexError.isStorageExhausted(error) {
            // Before any call (the archive root recorded at start): the index is not writable.
            throw CLIError.fatal("\(worker.settings.database): the index cannot be written: \(IndexError.storageReason(error)); nothing was changed")
        }
        if let metrics {
            try metrics.write(summary: summary, succeeded: summary.stoppedBecause == nil)
        }
        try SummaryOutput.print(summary, json: format == .json) { ["callvault run: " + summary.humanLine] }
        if let reason = summary.stoppedBecause {
            throw MetricsWritten(error: CLIError.fatal("stopped early: \(reason). Nothing was lost; free the space or fix the cause and run again."))
        }
        if summary.failed > 0 { throw ExitCode(3) }
    }
}
