// CallVaultWorker — the spool worker: Spool (scanning, settle time, quarantine), CallProcessor
// (one job, exactly once: temp file ▶ commit ▶ rename under the lease ▶ hash check ▶ inputs gone),
// Worker (N jobs, on its own threads: BlockingThreads; its index a WorkerStore the caller picks,
// SQLite or PostgreSQL), the archive layout and identity, job files' runner and lock, metrics; and the
// services of `callvault run` (RunServices: a swift-service-lifecycle ServiceGroup of the worker,
// the hummingbird metrics endpoint and the second-signal exit).
//
// Owns: the order of effects that makes a kill -9 at any point recoverable; the run's graceful
// shutdown and exit statuses on signals. Must not: parse CLI arguments, write the CLI's command
// lines (JobStepExecutor is the CLI's) or print results (the CLI renders the RunSummary); issue SQL
// itself (Store does); serve anything over HTTP but MetricsEndpoint's two routes; fsync, rename,
// lock or word an errno itself (CallVaultFiles does: AtomicFile, FileMove, AdvisoryLock).
