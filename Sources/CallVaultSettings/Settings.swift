import CallVaultCore
import Foundation

/// Everything the commands take from the configuration, every key resolved once: the config's
/// value, else ``Defaults``. A command applies its own flags on top and passes the result down
/// (`TranscodeOptions(settings:)`, `WorkerSettings`, `ServerSettings`), so `run`, `analyze`,
/// `transcode` and `serve` given the same config use the same thresholds and encoder.
///
/// ```swift
/// let settings = Settings(config: try Config.load(path: "callvault.toml"))
/// settings.encoder.complexity          // [encoder] complexity, else Settings.Defaults.complexity
/// let plain = Settings()               // no config file: every default
/// ```
public struct Settings: Sendable, Equatable {
    /// `[encoder]`.
    public struct Encoder: Sendable, Equatable {
        /// Bits per second per channel; nil picks ``Settings/Defaults/bitrate(opusRate:)`` for the rate encoded.
        public var bitratePerChannel: Int?
        /// libopus complexity, 0 (fastest) to 10.
        public var complexity: Int
    }

    /// `[queue]`: how jobs are claimed, retried and accepted.
    public struct Queue: Sendable, Equatable {
        public var maxAttempts: Int
        public var maxClaims: Int
        public var leaseSeconds: Double
        public var pollSeconds: Double
        public var settleSeconds: Double
        /// `started_at` values outside this window are quarantined (an unset or wrong switch clock).
        public var plausibleTimes: Sidecar.PlausibleTimes
    }

    /// `[serve]`: the web application.
    public struct Serve: Sendable, Equatable {
        /// `HOST:PORT`, checked by the server when it starts.
        public var listen: String
        public var sessionHours: Double
        public var tlsCert: String?
        public var tlsKey: String?
        /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
        public var trustedProxies: [String]
        /// IANA name of the zone the pages show local times in (UTC alongside), and dates without
        /// a `tz` are read in.
        public var timeZone: String
    }

    /// `[encryption]`: archive files encrypted at rest (age v1).
    public struct Encryption: Sendable, Equatable {
        /// `age1…` recipients each new archive file is encrypted to; empty: files stored as is.
        public var recipients: [String]
        /// The identity file `serve` and `verify --decrypt` read encrypted files with.
        public var identityFile: String?
    }

    /// Concurrent jobs of `run`: the config's `workers`, else the number of cores.
    public var workers: Int
    public var keepOriginals: Bool
    /// `default_country_code`: the country national numbers are read in.
    public var countryCode: String
    public var encoder: Encoder
    public var analysis: AnalysisSettings
    /// `[pci] mask_dtmf`.
    public var maskDTMF: Bool
    public var queue: Queue
    /// Nil when the config has no `[retention]`: then nothing is ever deleted.
    public var retention: RetentionPolicy?
    /// Group of archive files and folders (nil: the worker's own).
    public var archiveGroup: String?
    public var serve: Serve
    public var encryption: Encryption
    /// `callback_window_minutes` and `pool_session_timeout_minutes`: how calls are linked to web
    /// call-back requests and pool sessions.
    public var attributionWindows: AttributionWindows

    /// The settings of `config`, defaults where it is silent; `Settings()` is every default.
    public init(config: Config = Config()) {
        workers = config.workers ?? ProcessInfo.processInfo.activeProcessorCount
        keepOriginals = config.keepOriginals ?? Defaults.keepOriginals
        countryCode = config.defaultCountryCode ?? Defaults.countryCode
        encoder = Encoder(bitratePerChannel: config.bitrate, complexity: config.complexity ?? Defaults.complexity)
        analysis = config.analysis ?? Defaults.analysis
        maskDTMF = config.maskDTMF ?? Defaults.maskDTMF
        queue = Queue(maxAttempts: config.maxAttempts ?? Defaults.maxAttempts, maxClaims: Defaults.maxClaims,
                      leaseSeconds: config.leaseSeconds ?? Defaults.leaseSeconds,
                      pollSeconds: config.pollSeconds ?? Defaults.pollSeconds,
                      settleSeconds: config.settleSeconds ?? Defaults.settleSeconds,
                      plausibleTimes: config.plausibleTimes ?? Defaults.plausibleTimes)
        retention = config.retention
        archiveGroup = config.archiveGroup
        serve = Serve(listen: config.serveListen ?? Defaults.serveListen,
                      sessionHours: config.serveSessionHours ?? Defaults.sessionHours,
                      tlsCert: config.serveTLSCert, tlsKey: config.serveTLSKey,
                      trustedProxies: config.serveTrustedProxies ?? [],
                      timeZone: config.serveTimeZone ?? Defaults.serveTimeZone)
        encryption = Encryption(recipients: config.encryptionRecipients ?? Defaults.encryptionRecipients,
                                identityFile: config.encryptionIdentityFile)
        attributionWindows = AttributionWindows(
            callbackWindowMinutes: config.callbackWindowMinutes ?? Defaults.callbackWindowMinutes,
            poolSessionTimeoutMinutes: config.poolSessionTimeoutMinutes ?? Defaults.poolSessionTimeoutMinutes)
    }

    /// How phone numbers are read under these settings.
    public var numberReading: NumberReading { NumberReading(countryCode: countryCode) }
}
