import CallVaultStore
import Foundation

/// The index as the worker uses it, whatever database holds it: chosen once from the
/// configuration by the caller (`callvault run`: ``sqlite(_:settings:)`` for a file, the
/// PostgreSQL store for a `postgres://` URL), so the worker never builds a backend itself.
///
/// ```swift
/// let store = WorkerStore.sqlite(try CallIndex(path: settings.database), settings: settings)
/// let worker = Worker(settings: settings, store: store, logger: logger, progress: progress)
/// ```
public struct WorkerStore: Sendable {
    /// The queue's transitions and the ingest transaction's steps.
    public var queue: any QueueStore
    /// The index's id and recorded archive root (``ArchiveIdentity``).
    public var identity: any IndexIdentityStore
    /// Where this process's lease lock lives (``LeaseOwner``), and whether owners of other
    /// machines share the queue (their locks are not there: they are judged by their leases).
    public var leaseFolder: String
    public var otherHostsShareQueue: Bool
    /// The SQLite file ``IndexWatch`` watches so `run --once` wakes when another process commits;
    /// nil when there is none to watch (PostgreSQL: waits are capped at the poll interval instead).
    public var watchedDatabasePath: String?
    /// Work the index wants done between batches and at the end (SQLite: fold the WAL back).
    public var checkpoint: @Sendable () throws -> Void

    public init(queue: any QueueStore, identity: any IndexIdentityStore, leaseFolder: String, otherHostsShareQueue: Bool,
                watchedDatabasePath: String?, checkpoint: @escaping @Sendable () throws -> Void) {
        self.queue = queue
        self.identity = identity
        self.leaseFolder = leaseFolder
        self.otherHostsShareQueue = otherHostsShareQueue
        self.watchedDatabasePath = watchedDatabasePath
        self.checkpoint = checkpoint
    }

    /// The SQLite index at `settings.database`: its ``JobQueue``, leases in `DB.leases`.
    public static func sqlite(_ index: CallIndex, settings: WorkerSettings) -> WorkerStore {
        WorkerStore(queue: JobQueue(index: index, leaseSeconds: settings.leaseSeconds, attributionWindows: settings.attributionWindows),
                    identity: index, leaseFolder: settings.database + ".leases", otherHostsShareQueue: false,
                    watchedDatabasePath: settings.database, checkpoint: { try index.checkpoint() })
    }
}
