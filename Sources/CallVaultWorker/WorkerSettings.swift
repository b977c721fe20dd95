import CallVaultAge
import CallVaultAudio
import CallVaultCore
import CallVaultSettings

/// Everything `callvault run` needs: its ``Settings`` with flags on top (defaults: ``Settings/Defaults``).
public struct WorkerSettings: Sendable {
    public var spool: String
    public var archive: String
    public var database: String
    /// Concurrent jobs in this process (default: the number of cores).
    public var workers: Int
    /// Keep inputs in `SPOOL/done/` after archiving instead of deleting them.
    public var keepOriginals = Settings.Defaults.keepOriginals
    public var transcode = TranscodeOptions()
    /// Tries before a transiently failing job is quarantined.
    public var maxAttempts = Settings.Defaults.maxAttempts
    /// Claims a job may use without finishing (its worker died each time: a crash or a kill)
    /// before the input is quarantined, so one poisonous file cannot stop every nightly batch.
    public var maxClaims = Settings.Defaults.maxClaims
    /// Seconds a claim stays valid without renewal.
    public var leaseSeconds = Settings.Defaults.leaseSeconds
    /// Seconds between spool scans in watch mode.
    public var pollSeconds = Settings.Defaults.pollSeconds
    /// A pair is ready only when both of its files have been unchanged (modification and
    /// status-change times) for this many seconds, so audio still being written in place after
    /// its sidecar is not archived truncated. 0: ready as soon as both files exist.
    public var settleSeconds = Settings.Defaults.settleSeconds
    /// Country calling code for national numbers ("1": NANP).
    public var defaultCountryCode = Settings.Defaults.countryCode
    /// Retention dates stamped at ingest (nil: no policy configured).
    public var retention: RetentionPolicy?
    /// `started_at` values outside this window are quarantined (an unset or wrong switch clock).
    public var plausibleTimes = Settings.Defaults.plausibleTimes
    /// Group of archive files and folders (nil: the worker's own).
    public var archiveGroup: String?
    /// `[encryption] recipients`: each new archive file is `ID.opus.age`, encrypted to them while
    /// it is written; empty: `ID.opus` as before.
    public var recipients: [AgeRecipient] = []
    /// How ingest links calls to web call-back requests and pool sessions.
    public var attributionWindows = AttributionWindows(callbackWindowMinutes: Settings.Defaults.callbackWindowMinutes,
                                                       poolSessionTimeoutMinutes: Settings.Defaults.poolSessionTimeoutMinutes)

    public init(spool: String, archive: String, database: String, workers: Int) {
        self.spool = spool
        self.archive = archive
        self.database = database
        self.workers = workers
    }

    /// The worker's part of `settings`: encoder, analysis, DTMF, queue, numbers, retention, group.
    public init(spool: String, archive: String, database: String, workers: Int, settings: Settings) {
        self.init(spool: spool, archive: archive, database: database, workers: workers)
        keepOriginals = settings.keepOriginals
        transcode = TranscodeOptions(settings: settings)
        maxAttempts = settings.queue.maxAttempts
        maxClaims = settings.queue.maxClaims
        leaseSeconds = settings.queue.leaseSeconds
        pollSeconds = settings.queue.pollSeconds
        settleSeconds = settings.queue.settleSeconds
        plausibleTimes = settings.queue.plausibleTimes
        defaultCountryCode = settings.countryCode
        retention = settings.retention
        archiveGroup = settings.archiveGroup
        // Each was parsed when the config was read (Config.parseEncryption): none is dropped here.
        recipients = settings.encryption.recipients.compactMap { try? AgeRecipient($0) }
        attributionWindows = settings.attributionWindows
    }
}
