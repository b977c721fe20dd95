import CallVaultCore
import Foundation

extension Settings {
    /// Every default of callvault, each written once: what a setting is when neither the config
    /// nor a flag gives it. `--help` texts print these constants rather than repeating the numbers.
    public enum Defaults {
        // MARK: Where the data lives (relative to the working folder)

        public static let spool = "spool"
        public static let archive = "archive"
        public static let database = "callvault.sqlite"

        // MARK: Numbers

        /// `default_country_code`: national numbers are read as NANP.
        public static let countryCode = "1"

        // MARK: Spool

        /// `keep_originals`: inputs are deleted once archived.
        public static let keepOriginals = false

        // MARK: [encoder]

        /// libopus complexity. Chosen by measurement (README, "Encoder defaults"): for 8 kHz
        /// telephony, 16 kbit/s per channel at complexity 5 scored PESQ 4.53 against the source,
        /// above G.711's 4.36, at a fifth of the CPU time of `opusenc`.
        public static let complexity = 5

        /// Bits per second per channel when `bitrate` is not set, by the rate Opus encodes at:
        /// 16 kbit/s for narrowband, 20 for 12 kHz, 24 for wideband, 32 above.
        public static func bitrate(opusRate: Int) -> Int {
            switch opusRate {
            case ...8000: 16000
            case ...12000: 20000
            case ...16000: 24000
            default: 32000
            }
        }

        /// What `bitrate` (bit/s per channel) and `complexity` may be set to.
        public static let bitrateRange = 6000...256_000
        public static let complexityRange = 0...10

        // MARK: [analysis]

        /// 20 ms frames; a frame is active at -40 dBFS RMS or louder; gaps under 300 ms are
        /// bridged and segments under 100 ms dropped; silences are reported from 2000 ms; a call is
        /// answered with 3000 ms of talk on the answering side, else missed when it lasted 30000 ms.
        public static let analysis = AnalysisSettings(
            frameMs: 20, activeThresholdDbfs: -40, bridgeGapMs: 300, minSegmentMs: 100, minSilenceMs: 2000,
            answeredTalkMs: 3000, missedMinDurationMs: 30000)

        // MARK: [pci]

        /// `mask_dtmf`: DTMF key presses are silenced before encoding.
        public static let maskDTMF = true

        // MARK: [encryption]

        /// `recipients`: none, so archive files are stored as plain Ogg Opus (`ID.opus`).
        public static let encryptionRecipients: [String] = []

        // MARK: [[retention.rules]]

        /// `min_keep_days`: no mandatory minimum; retention and erasure follow keep_*_days and holds.
        public static let minKeepDays = 0

        // MARK: [queue]

        /// Tries before a transiently failing job is quarantined.
        public static let maxAttempts = 3
        /// Claims a job may use without finishing (its worker died each time) before its input is
        /// quarantined. Not configurable.
        public static let maxClaims = 8
        /// Seconds a claim stays valid without renewal.
        public static let leaseSeconds = 120.0
        /// Seconds between spool scans in watch mode.
        public static let pollSeconds = 2.0
        /// Seconds both files of a pair must be unchanged before it is ready.
        public static let settleSeconds = 2.0
        /// `earliest_started_at` 2000-01-01 and `max_days_ahead` 30.
        public static let plausibleTimes = Sidecar.PlausibleTimes(earliest: Date(timeIntervalSince1970: 946_684_800), maxDaysAhead: 30)

        // MARK: Web attribution

        /// `callback_window_minutes`: an outbound call is a call-back to a request for its number
        /// made at most this long before (when the dialler does not name the request).
        public static let callbackWindowMinutes = 30
        /// `pool_session_timeout_minutes`: a web session keeps its pool number this long after it
        /// was last seen (a visitor reads the page, then dials).
        public static let poolSessionTimeoutMinutes = 30
        /// What both windows may be set to: up to a week.
        public static let attributionWindowRange = 0...10_080

        // MARK: [serve]

        public static let serveHost = "127.0.0.1"
        public static let servePort = 8080
        /// `listen`: loopback only, so nothing is exposed until asked for.
        public static let serveListen = "\(serveHost):\(servePort)"
        /// `session_hours`: a working day.
        public static let sessionHours = 8.0
        /// `time_zone`: the pages' local time is UTC until a zone is named (no other zone is
        /// configured anywhere, and the server's own TZ says nothing about its users).
        public static let serveTimeZone = "UTC"

        // MARK: PostgreSQL (database = "postgres://…", issue 20)

        /// The port of a `postgres://` URL that names none (PostgreSQL's own).
        public static let postgresPort = 5432
        /// `sslmode` when the URL has none: libpq's default (TLS if the server offers it).
        public static let postgresSSLMode = PostgresURL.SSLMode.prefer
        /// How long a connection attempt waits before the command reports the server unreachable.
        public static let postgresConnectTimeoutSeconds = 10
        /// Connections in a process's pool (one PostgresClient per process).
        public static let postgresMaxConnections = 8
    }
}
