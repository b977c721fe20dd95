import CallVaultAudio
import CallVaultCore
import CallVaultStore
import Foundation
import Logging
import Synchronization

/// `callvault run`: scans the spool into the queue and drains it with N concurrent jobs.
///
/// With `once`, it returns when no job is left unfinished (retries included); otherwise it keeps
/// scanning every `pollSeconds` until ``StopSignal`` is set (or its task is cancelled), then lets the
/// jobs in hand finish. A full disk or a read-only index stops the run: the job in hand goes back to
/// the queue. `callvault run` runs it as ``WorkerService`` in the ``RunServices`` group.
///
/// `once` never polls: it sleeps until a deadline computed from the data (the moment unsettled
/// pairs will have been still for the settle time; the next retry or lease expiry in the queue),
/// and a ``QueueBell`` wakes it sooner when a job of this process finishes or ``IndexWatch`` sees
/// another worker commit or exit.
///
/// The index comes as a ``WorkerStore`` chosen by the caller (SQLite or PostgreSQL); the slots run
/// on ``BlockingThreads``, never blocking a thread of the cooperative pool.
public struct Worker: Sendable {
    public let settings: WorkerSettings
    public let store: WorkerStore
    public let logger: Logger
    public let progress: ProgressReporter
    public var clock: @Sendable () -> Date = { Date() }
    /// Called after every scan in watch mode (the metrics file is rewritten there).
    public var heartbeat: (@Sendable (RunSummary) -> Void)?

    public init(settings: WorkerSettings, store: WorkerStore, logger: Logger, progress: ProgressReporter) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.progress = progress
    }

    /// The worker on the SQLite index `index`.
    public init(settings: WorkerSettings, index: CallIndex, logger: Logger, progress: ProgressReporter) {
        self.init(settings: settings, store: .sqlite(index, settings: settings), logger: logger, progress: progress)
    }

    public func run(once: Bool, stop: StopSignal) async throws -> RunSummary {
        // Slots, the watch-mode scan and a spare (see BlockingThreads).
        let threads = BlockingThreads(count: max(1, settings.workers) + 2, name: "callvault-worker")
        defer { threads.shutdown() }
        return try await withTaskExecutorPreference(threads) {
            try await drain(once: once, stop: stop)
        }
    }

    private func drain(once: Bool, stop: StopSignal) async throws -> RunSummary {
        let spool = Spool(root: settings.spool)
        try spool.prepare(keepOriginals: settings.keepOriginals)
        var archive = Archive(root: settings.archive)
        archive.fileMode = 0o640
        archive.groupID = try settings.archiveGroup.map(Archive.groupID(named:))
        try archive.check()
        try ArchiveIdentity.check(root: archive.root, index: store.identity, claim: true)
        let owner = try LeaseOwner(folder: store.leaseFolder, otherHostsAlive: store.otherHostsShareQueue)
        let queue = store.queue
        let processor = CallProcessor(settings: settings, spool: spool, archive: archive, queue: queue,
                                      owner: owner, logger: logger, clock: clock)
        let fatal = FirstReason()

        var settledAt = try scan(spool: spool, queue: queue, owner: owner)
        // --once drains what is there: pairs still being written are waited for, each time until the
        // moment their files will have been still for the settle time (a pair written on and on gives
        // up after 60 such waits).
        var rounds = 0
        while once, let until = settledAt, !stop.isSet, !Task.isCancelled, rounds < 60 {
            let pause = min(max(until.timeIntervalSince(clock()), 0.05), settings.settleSeconds)
            try? await Task.sleep(for: .milliseconds(Int(pause * 1000)))
            settledAt = try scan(spool: spool, queue: queue, owner: owner)
            rounds += 1
        }
        if once, settledAt != nil {
            logger.warning("pairs still being written after waiting; left for the next run", metadata: ["settle_s": "\(settings.settleSeconds)"])
        }
        progress.expect(total: try queue.unfinishedCount())
        let bell = QueueBell()
        stop.onSet { bell.ring() }
        let watch = once ? store.watchedDatabasePath.map { IndexWatch(databasePath: $0, leaseFolder: owner.folder) { bell.ring() } } : nil
        // Without a watch (PostgreSQL), another machine's commit rings no bell: look again each poll.
        let longestWait = store.watchedDatabasePath == nil ? settings.pollSeconds : nil
        defer { watch?.stop() }

        await withTaskGroup(of: Void.self) { group in
            if !once {
                group.addTask {
                    while !stop.isSet && fatal.reason == nil && !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(settings.pollSeconds))
                        do { _ = try scan(spool: spool, queue: queue, owner: owner) } catch {
                            logger.error("spool scan failed", metadata: ["error": "\(error)"])
                        }
                        do { try store.checkpoint() } catch { fatal.offer("\(error)") }
                        heartbeat?(progress.snapshot())
                    }
                }
            }
            for slot in 0..<max(1, settings.workers) {
                group.addTask {
                    // Without a bell from other processes, how long a drained slot waits before
                    // it looks at the queue again: short at first, doubling up to the poll.
                    var peek = Self.firstPeekSeconds
                    while !stop.isSet && fatal.reason == nil && !Task.isCancelled {
                        do {
                            let seen = bell.generation
                            guard let job = try queue.claim(owner: owner.name, now: clock()) else {
                                if once {
                                    if try queue.unfinishedCount() == 0 { return }
                                    if try queue.recoverAbandoned(now: clock(), isAlive: owner.isAlive) > 0 { continue }
                                    // Nothing claimable now: sleep until the queue's next retry or lease
                                    // expiry, or until the bell says a job finished or another worker wrote.
                                    guard var next = try queue.nextClaimableAt() else { continue }
                                    if let longestWait {
                                        next = min(next, clock().addingTimeInterval(min(peek, longestWait)))
                                        peek = min(peek * 2, longestWait)
                                    }
                                    await bell.wait(after: seen, until: instant(next))
                                } else {
                                    try await Task.sleep(for: .milliseconds(Int(settings.pollSeconds * 500)))
                                }
                                continue
                            }
                            defer { bell.ring() }
                            peek = Self.firstPeekSeconds
                            logger.debug("claimed", metadata: ["stem": "\(job.stem)", "slot": "\(slot)"])
                            progress.record(try processor.process(job))
                        } catch WorkerError.environment(let reason) {
                            fatal.offer(reason)
                            bell.ring()
                        } catch is CancellationError {
                            return
                        } catch {
                            if IndexError.isStorageExhausted(error) {
                                fatal.offer("the index cannot be written: \(IndexError.storageReason(error))")
                                bell.ring()
                            } else if queue.isUnavailable(error) {
                                fatal.offer("the index cannot be reached: \(error)")
                                bell.ring()
                            } else {
                                logger.error("worker error", metadata: ["error": "\(error)"])
                                try? await Task.sleep(for: .milliseconds(500))
                            }
                        }
                    }
                }
            }
        }
        if fatal.reason == nil {
            do { try store.checkpoint() } catch { fatal.offer("\(error)") }
        }
        return progress.finish(stoppedBecause: fatal.reason)
    }

    /// The first wait of a `--once` slot that found nothing to claim while other processes still
    /// hold jobs, when no bell reaches it from them (PostgreSQL: another machine's commit rings
    /// nothing here). It doubles up to `poll_seconds`: the last jobs of a batch are usually short
    /// (a call encodes in a fraction of a second), and a drained worker that slept the whole poll
    /// after the others' last commit idled for up to 2 s at the end of every batch (a seventh of
    /// a 2-minute batch shared by two processes). A look is one indexed count: ten a second cost
    /// the database nothing measurable.
    static let firstPeekSeconds = 0.05

    /// The continuous-clock instant of a queue time, just after it (claims take leases that expired
    /// strictly before now).
    private func instant(_ date: Date) -> ContinuousClock.Instant {
        .now + .milliseconds(max(Int(date.timeIntervalSince(clock()) * 1000), 0) + 1)
    }

    /// Queues the settled pairs; returns when the unsettled ones would be settled (nil: none).
    @discardableResult
    private func scan(spool: Spool, queue: any QueueStore, owner: LeaseOwner) throws -> Date? {
        _ = try queue.recoverAbandoned(now: clock(), isAlive: owner.isAlive)
        let found = try spool.scan { logger.warning("skipped a spool entry", metadata: ["reason": "\($0)"]) }
        let (arrivals, unsettled, waitUntil) = spool.settled(found, seconds: settings.settleSeconds, now: Date())
        if unsettled > 0 {
            logger.debug("pairs still changing", metadata: ["pairs": "\(unsettled)", "settle_s": "\(settings.settleSeconds)"])
        }
        let ready = try queue.enqueue(arrivals, now: clock()) { arrival in
            FileManager.default.fileExists(atPath: spool.incomingPath(spool.sidecarName(arrival.stem)))
                && FileManager.default.fileExists(atPath: spool.incomingPath(arrival.audioName))
        }
        if ready > 0 {
            logger.info("queued", metadata: ["new": "\(ready)"])
            progress.expect(total: try queue.unfinishedCount())
        }
        return waitUntil
    }
}

/// The first reason given for stopping the run; later ones are ignored.
final class FirstReason: Sendable {
    private let value = Mutex<String?>(nil)
    var reason: String? { value.withLock { $0 } }
    func offer(_ reason: String) { value.withLock { if $0 == nil { $0 = reason } } }
}
