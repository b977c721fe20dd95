import CallVaultAudio
import CallVaultCore

/// Everything `callvault run` needs, from the config file with flags on top.
public struct WorkerSettings: Sendable {
    public var spool: String
    public var archive: String
    public var database: String
    /// Concurrent jobs in this process (default: the number of cores).
    public var workers: Int
    /// Keep inputs in `SPOOL/done/` after archiving instead of deleting them.
    public var keepOriginals = false
    public var transcode = TranscodeOptions()
    /// Tries before a transiently failing job is quarantined.
    public var maxAttempts = 3
    /// Claims a job may use without finishing (its worker died each time: a crash or a kill)
    /// before the input is quarantined, so one poisonous file cannot stop every nightly batch.
    public var maxClaims = 8
    /// Seconds a claim stays valid without renewal.
    public var leaseSeconds = 120.0
    /// Seconds between spool scans in watch mode.
    public var pollSeconds = 2.0
    /// A pair is ready only when both of its files have been unchanged (modification and
    /// status-change times) for this many seconds, so audio still being written in place after
    /// its sidecar is not archived truncated. 0: ready as soon as both files exist.
    public var settleSeconds = 2.0
    /// Country calling code for national numbers ("1": NANP).
    public var defaultCountryCode = NumberReading.fallbackCountryCode
    /// Retention dates stamped at ingest (nil: no policy configured).
    public var retention: RetentionPolicy?
    /// `started_at` values outside this window are quarantined (an unset or wrong switch clock).
    public var plausibleTimes = Sidecar.PlausibleTimes()
    /// Group of archive files and folders (nil: the worker's own).
    public var archiveGroup: String?

    public init(spool: String, archive: String, database: String, workers: Int) {
        self.spool = spool
        self.archive = archive
        self.database = database
        self.workers = workers
    }
}
