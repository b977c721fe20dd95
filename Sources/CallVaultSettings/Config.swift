import CallVaultAge
import CallVaultCore
import CallVaultTOML
import Foundation

/// The settings file (TOML) as written: nil where the file is silent (``Settings`` resolves the
/// defaults). Relative paths are resolved against the file's folder; flags override.
///
/// ```toml
/// spool = "spool"              # SPOOL/incoming, SPOOL/failed, SPOOL/done
/// archive = "archive"
/// database = "callvault.sqlite"   # or "postgres://USER@HOST:PORT/DB?sslmode=prefer" (PostgreSQL)
/// password_file = "pg-password"    # PostgreSQL only (else PGPASSWORD, ~/.pgpass); mode 0600
/// workers = 2                  # default: the number of cores
/// keep_originals = false       # true: move inputs to SPOOL/done/ instead of deleting them
/// default_country_code = "1"   # for national numbers; 1 = NANP
/// callback_window_minutes = 30       # an outbound call answers a web call-back request this recent
/// pool_session_timeout_minutes = 30  # a web session keeps its pool number this long after last seen
///
/// [encoder]
/// bitrate = 16000              # bit/s per channel
/// complexity = 5
///
/// [analysis]
/// active_threshold_dbfs = -40
/// min_silence_ms = 2000
///
/// [pci]
/// mask_dtmf = true             # silence DTMF key presses (+ 40 ms each side) before encoding
///
/// [queue]
/// max_attempts = 3
/// lease_seconds = 120
/// poll_seconds = 2
/// settle_seconds = 2
///
/// [serve]
/// listen = "127.0.0.1:8080"
/// session_hours = 8
/// tls_cert = "cert.pem"        # both, or neither (then plain HTTP, e.g. behind a TLS proxy)
/// tls_key = "key.pem"
/// trusted_proxies = ["127.0.0.1"]  # whose X-Forwarded-For/-Proto are believed
/// time_zone = "America/New_York"   # local times on the pages (IANA name; default UTC)
///
/// [encryption]
/// recipients = ["age1…"]       # archive files become ID.opus.age (age v1, X25519)
/// identity_file = "key.txt"    # AGE-SECRET-KEY-1… (mode 0600): serve and verify --decrypt read with it
/// ```
public struct Config: Sendable, Equatable {
    public var spool: String?
    public var archive: String?
    public var database: String?
    public var workers: Int?
    public var keepOriginals: Bool?
    public var defaultCountryCode: String?
    public var bitrate: Int?
    public var complexity: Int?
    /// `[analysis]`, its keys over ``Settings/Defaults/analysis``; nil without the table.
    public var analysis: AnalysisSettings?
    public var maxAttempts: Int?
    public var leaseSeconds: Double?
    public var pollSeconds: Double?
    /// A pair is ready only when neither file changed for this long (0: at once).
    public var settleSeconds: Double?
    /// `[queue] earliest_started_at` / `max_days_ahead`: the window of plausible `started_at` values.
    public var plausibleTimes: Sidecar.PlausibleTimes?
    /// Nil when the file has no `[retention]`: then nothing is ever deleted.
    public var retention: RetentionPolicy?
    /// Group that owns archive files and folders (files 0640, folders 0750).
    public var archiveGroup: String?
    /// `[serve]`: the web application.
    public var serveListen: String?
    public var serveSessionHours: Double?
    public var serveTLSCert: String?
    public var serveTLSKey: String?
    public var serveTrustedProxies: [String]?
    /// `[serve] time_zone`: an IANA zone name, checked when read.
    public var serveTimeZone: String?
    /// `[pci] mask_dtmf`; nil: ``Settings/Defaults/maskDTMF``.
    public var maskDTMF: Bool?
    /// `[encryption] recipients`: `age1…` X25519 recipients (checked when read); nil: not encrypted.
    public var encryptionRecipients: [String]?
    /// `[encryption] identity_file`, resolved against the config's folder; its mode is checked
    /// when it is read (``CallVaultAge/AgeFile/loadIdentities(path:)``).
    public var encryptionIdentityFile: String?
    /// `callback_window_minutes`; nil: ``Settings/Defaults/callbackWindowMinutes``.
    public var callbackWindowMinutes: Int?
    /// `pool_session_timeout_minutes`; nil: ``Settings/Defaults/poolSessionTimeoutMinutes``.
    public var poolSessionTimeoutMinutes: Int?
    /// `database = "postgres://…"` read and checked (issue 20); `database` then holds the URL's
    /// text as written, never a path. Nil for a SQLite index.
    public var postgres: PostgresURL?
    /// `password_file`: the PostgreSQL password (first line), resolved against the config's
    /// folder; only with a `postgres://` database. Its mode (0600) is checked when it is read.
    public var passwordFile: String?

    public init() {}

    static let topKeys: Set<String> = ["spool", "archive", "database", "workers", "keep_originals", "default_country_code",
                                       "encoder", "analysis", "queue", "retention", "archive_group", "serve", "pci",
                                       "encryption", "callback_window_minutes", "pool_session_timeout_minutes",
                                       "password_file"]

    /// Reads and checks a config file.
    public static func load(path: String) throws -> Config {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, "cannot read the config file (\((error as NSError).localizedDescription))")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text: text, file: path, baseFolder: base)
    }

    public static func parse(text: String, file: String, baseFolder: String) throws -> Config {
        let r = try TOMLReader(text: text, file: file)
        try r.checkKeys(r.root, allowed: topKeys, section: nil)
        var c = Config()
        func path(_ key: String) throws -> String? {
            try r.string(r.root, key).map { $0.hasPrefix("/") ? $0 : baseFolder + "/" + $0 }
        }
        c.spool = try path("spool")
        c.archive = try path("archive")
        if let text = try r.string(r.root, "database"), PostgresURL.looksLikeURL(text) {
            // A URL is never a file name: a PostgreSQL index, checked here, or an error.
            do { c.postgres = try PostgresURL(text) } catch let e as PostgresURLError {
                throw r.error("database: \(e.message)", key: "database", in: r.root)
            }
            c.database = text
        } else {
            c.database = try path("database")
        }
        c.passwordFile = try path("password_file")
        if c.passwordFile != nil, c.postgres == nil {
            throw r.error("password_file is only read for a PostgreSQL database (database = \"postgres://USER@HOST:PORT/DB\")",
                          key: "password_file", in: r.root)
        }
        c.workers = try r.int(r.root, "workers", range: 1...256)
        c.keepOriginals = try r.bool(r.root, "keep_originals")
        c.defaultCountryCode = try r.string(r.root, "default_country_code")
        if let cc = c.defaultCountryCode, cc.isEmpty || cc.count > 3 || !cc.allSatisfy(\.isNumber) {
            throw r.error("default_country_code must be a country calling code such as \"1\" or \"44\"", key: "default_country_code", in: r.root)
        }
        c.callbackWindowMinutes = try r.int(r.root, "callback_window_minutes", range: Settings.Defaults.attributionWindowRange)
        c.poolSessionTimeoutMinutes = try r.int(r.root, "pool_session_timeout_minutes", range: Settings.Defaults.attributionWindowRange)
        if let encoder = try r.table(r.root, "encoder") {
            try r.checkKeys(encoder, allowed: ["bitrate", "complexity"], section: "encoder")
            c.bitrate = try r.int(encoder, "bitrate", range: Settings.Defaults.bitrateRange)
            c.complexity = try r.int(encoder, "complexity", range: Settings.Defaults.complexityRange)
        }
        if let analysis = try r.table(r.root, "analysis") {
            let keys = ["frame_ms", "active_threshold_dbfs", "bridge_gap_ms", "min_segment_ms", "min_silence_ms",
                        "answered_talk_ms", "missed_min_duration_ms"]
            try r.checkKeys(analysis, allowed: Set(keys), section: "analysis")
            var a = Settings.Defaults.analysis
            let ms = 0...86_400_000
            a.frameMs = try r.int(analysis, "frame_ms", range: 5...100) ?? a.frameMs
            a.activeThresholdDbfs = try r.double(analysis, "active_threshold_dbfs") ?? a.activeThresholdDbfs
            a.bridgeGapMs = try r.int(analysis, "bridge_gap_ms", range: ms) ?? a.bridgeGapMs
            a.minSegmentMs = try r.int(analysis, "min_segment_ms", range: ms) ?? a.minSegmentMs
            a.minSilenceMs = try r.int(analysis, "min_silence_ms", range: ms) ?? a.minSilenceMs
            a.answeredTalkMs = try r.int(analysis, "answered_talk_ms", range: ms) ?? a.answeredTalkMs
            a.missedMinDurationMs = try r.int(analysis, "missed_min_duration_ms", range: ms) ?? a.missedMinDurationMs
            if let problem = a.problems().first {
                // Each problem starts with the name of its key: report it at that key's line.
                let key = problem.split(separator: " ").first.map(String.init)
                throw r.error(problem, key: key, in: analysis)
            }
            c.analysis = a
        }
        if let queue = try r.table(r.root, "queue") {
            try r.checkKeys(queue, allowed: ["max_attempts", "lease_seconds", "poll_seconds", "settle_seconds",
                                             "earliest_started_at", "max_days_ahead"], section: "queue")
            var window = Settings.Defaults.plausibleTimes
            if let text = try r.string(queue, "earliest_started_at") {
                guard let date = Timestamp.parseBoundary(text) else {
                    throw r.error("earliest_started_at must be a date such as \"2000-01-01\"", key: "earliest_started_at", in: queue)
                }
                window.earliest = date
            }
            window.maxDaysAhead = try r.int(queue, "max_days_ahead", range: 0...36_500) ?? window.maxDaysAhead
            if window != Settings.Defaults.plausibleTimes { c.plausibleTimes = window }
            c.settleSeconds = try r.double(queue, "settle_seconds")
            if let s = c.settleSeconds, s < 0 || s > 3600 {
                throw r.error("settle_seconds must be between 0 and 3600", key: "settle_seconds", in: queue)
            }
            c.maxAttempts = try r.int(queue, "max_attempts", range: 1...100)
            c.leaseSeconds = try r.double(queue, "lease_seconds")
            c.pollSeconds = try r.double(queue, "poll_seconds")
            if let l = c.leaseSeconds, !(5...86_400).contains(l) {
                throw r.error("lease_seconds must be between 5 and 86400", key: "lease_seconds", in: queue)
            }
            if let p = c.pollSeconds, !(p > 0 && p <= 3600) {
                throw r.error("poll_seconds must be more than 0 and at most 3600", key: "poll_seconds", in: queue)
            }
        }
        c.archiveGroup = try r.string(r.root, "archive_group")
        if let serve = try r.table(r.root, "serve") {
            try r.checkKeys(serve, allowed: ["listen", "session_hours", "tls_cert", "tls_key", "trusted_proxies", "time_zone"],
                            section: "serve")
            c.serveListen = try r.string(serve, "listen")
            c.serveSessionHours = try r.double(serve, "session_hours")
            if let h = c.serveSessionHours, !(h > 0 && h <= 24 * 30) {
                throw r.error("session_hours must be more than 0 and at most 720", key: "session_hours", in: serve)
            }
            func path(_ key: String) throws -> String? {
                try r.string(serve, key).map { $0.hasPrefix("/") ? $0 : baseFolder + "/" + $0 }
            }
            c.serveTLSCert = try path("tls_cert")
            c.serveTLSKey = try path("tls_key")
            if (c.serveTLSCert == nil) != (c.serveTLSKey == nil) {
                throw r.error("tls_cert and tls_key go together", key: c.serveTLSCert == nil ? "tls_key" : "tls_cert", in: serve)
            }
            if let proxies = serve["trusted_proxies"] {
                guard let list = proxies.array?.compactMap({ $0.string }), list.count == proxies.array?.count else {
                    throw r.error("trusted_proxies must be a list of addresses", key: "trusted_proxies", in: serve)
                }
                c.serveTrustedProxies = list
            }
            c.serveTimeZone = try r.string(serve, "time_zone")
            if let zone = c.serveTimeZone, TimeZone(identifier: zone) == nil {
                throw r.error("time_zone: \(zone.debugDescription) is not an IANA time zone (e.g. America/New_York)", key: "time_zone", in: serve)
            }
        }
        if let pci = try r.table(r.root, "pci") {
            try r.checkKeys(pci, allowed: ["mask_dtmf"], section: "pci")
            c.maskDTMF = try r.bool(pci, "mask_dtmf")
        }
        if let encryption = try r.table(r.root, "encryption") {
            try parseEncryption(encryption, reader: r, baseFolder: baseFolder, into: &c)
        }
        if let retention = try r.table(r.root, "retention") {
            c.retention = try parseRetention(retention, reader: r, numbers: c.numberReading)
        }
        return c
    }

    /// `[encryption]`: each recipient must parse as an X25519 `age1…` key (a typo would otherwise
    /// encrypt to nobody, or fail at the first call).
    static func parseEncryption(_ table: TOMLTable, reader r: TOMLReader, baseFolder: String, into c: inout Config) throws {
        try r.checkKeys(table, allowed: ["recipients", "identity_file"], section: "encryption")
        if let value = table["recipients"] {
            guard let list = value.array?.compactMap({ $0.string }), list.count == value.array?.count, !list.isEmpty else {
                throw r.error("recipients must be a non-empty list of age1… recipients", key: "recipients", in: table)
            }
            for text in list {
                do { _ = try AgeRecipient(text) } catch let error as AgeError {
                    throw r.error("recipients: \(error.message)", key: "recipients", in: table)
                }
            }
            c.encryptionRecipients = list
        }
        c.encryptionIdentityFile = try r.string(table, "identity_file").map { $0.hasPrefix("/") ? $0 : baseFolder + "/" + $0 }
    }

    static func parseRetention(_ table: TOMLTable, reader r: TOMLReader, numbers: NumberReading) throws -> RetentionPolicy {
        try r.checkKeys(table, allowed: ["rules"], section: "retention")
        guard let array = table["rules"]?.array else {
            throw r.error("[retention] needs rules: add [[retention.rules]] tables", key: "rules", in: table)
        }
        var rules: [RetentionPolicy.Rule] = []
        var ruleTables: [TOMLTable] = []
        let section = "retention.rules"
        for (i, value) in array.enumerated() {
            guard let t = value.table else {
                throw ConfigError(file: r.file, line: value.line, "retention.rules must be tables ([[retention.rules]])")
            }
            try r.checkKeys(t, allowed: ["name", "campaign", "source", "outcome", "tracking_number", "keep_audio_days", "keep_record_days",
                                         "min_keep_days"],
                            section: section)
            let name = try r.string(t, "name") ?? "rule \(i + 1)"
            func fail(_ message: String, _ key: String) -> ConfigError {
                r.error("retention rule \(name.debugDescription): \(message)", key: key, in: t)
            }
            var outcomes: [Outcome]?
            if let o = t["outcome"] {
                let names = o.string.map { [$0] } ?? o.array?.compactMap { $0.string }
                guard let names, !names.isEmpty else { throw fail("outcome must be a name or a list of names", "outcome") }
                outcomes = try names.map { n in
                    guard let outcome = Outcome(rawValue: n) else { throw fail("unknown outcome \(n.debugDescription) (answered, missed, abandoned)", "outcome") }
                    return outcome
                }
            }
            var tracking: String?
            if let raw = try r.string(t, "tracking_number") {
                guard case .e164(let n) = numbers.read(raw) else {
                    throw fail("tracking_number \(raw.debugDescription) is not a phone number", "tracking_number")
                }
                tracking = n
            }
            guard let audio = try r.int(t, "keep_audio_days", range: 0...100_000) else {
                throw fail("keep_audio_days is required", "name")
            }
            guard let record = try r.int(t, "keep_record_days", range: 0...100_000) else {
                throw fail("keep_record_days is required", "name")
            }
            let minimum = try r.int(t, "min_keep_days", range: 0...100_000) ?? Settings.Defaults.minKeepDays
            rules.append(.init(name: name, campaign: try r.string(t, "campaign"),
                               source: try r.string(t, "source"), outcomes: outcomes,
                               trackingNumber: tracking, keepAudioDays: audio, keepRecordDays: record, minKeepDays: minimum))
            ruleTables.append(t)
        }
        let policy = RetentionPolicy(rules: rules)
        if let problem = policy.ruleProblems().first {
            // At the rule concerned: the key at fault, else the rule's [[retention.rules]] header.
            let line = problem.rule.flatMap { ruleTables.indices.contains($0) ? r.line(of: problem.key, in: ruleTables[$0]) : nil }
            throw ConfigError(file: r.file, line: line ?? r.line(of: "rules", in: table), problem.message)
        }
        return policy
    }

    /// How this configuration reads phone numbers (its `default_country_code`, else the default).
    public var numberReading: NumberReading { Settings(config: self).numberReading }
}
