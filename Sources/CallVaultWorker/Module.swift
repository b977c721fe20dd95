// CallVaultWorker — the spool worker: Spool (scanning, settle time, quarantine), CallProcessor
// (one job, exactly once: temp file ▶ commit ▶ rename under the lease ▶ hash check ▶ inputs gone),
// Worker (N jobs), the archive layout and identity, job files' runner and lock, metrics.
//
// Owns: the order of effects that makes a kill -9 at any point recoverable. Must not: parse CLI
// arguments or print results (the CLI renders the RunSummary); issue SQL itself (Store does);
// fsync, rename, lock or word an errno itself (CallVaultFiles does: AtomicFile, FileMove, AdvisoryLock).
