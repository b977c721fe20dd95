import CallVaultCore
import Foundation
import GRDB

/// One archived call: a row of `calls`, and the object `show` and `query --format json` print.
///
/// Built from what ingest knows, in parts (see CallRecord+Parts.swift): the sidecar, the audio
/// analysis, the numbers as read, the archive and source files; attribution and retention dates are
/// filled in by the ingest transaction's steps (``Registry/link(_:_:)``, ``RetentionStamp``).
///
/// ```swift
/// let record = CallRecord(id: id, callID: callID, sidecar: sidecar, analysis: analysis, numbers: numbers,
///                         archive: .init(path: relative, sha256: sha, bytes: n), source: source,
///                         warnings: warnings, ingestedAt: now)
/// ```
/// Times are `Date`s stored as `2026-11-28T14:03:00Z` text (whole seconds, UTC, see CallRecord+Codable.swift);
/// `outcome` is an ``Outcome`` stored as its raw value.
public struct CallRecord: Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "calls"

    public var id: String
    public var callID: String
    public var caller: String?
    public var callerRaw: String?
    public var callerValid: Bool?
    public var callerName: String?
    public var trackingNumber: String
    public var trackingNumberRaw: String
    public var startedAt: Date
    public var durationMs: Int
    public var talkMs: Int
    public var outcome: Outcome
    public var longestSilenceMs: Int
    public var leadingSilenceMs: Int
    public var silences: [Interval]
    public var channels: Int
    public var channelRoles: [String]?
    /// Each channel's activity runs with its role, as the analyser found them; nil for calls
    /// archived before the index kept them (v10-channel-activity).
    public var channelActivity: [AudioAnalysis.Channel]? = nil
    public var sampleRate: Int
    public var sourceFormat: String
    public var sourceName: String
    public var disposition: String?
    public var switchDurationMs: Int?
    public var archivePath: String
    /// SHA-256 of the stored file (what `verify` checks without a key).
    public var sha256: String
    /// SHA-256 of the Ogg Opus plaintext: equal to ``sha256`` for a plain `ID.opus`; for an
    /// encrypted `ID.opus.age` what `verify --decrypt` and a decrypting `export` check.
    public var opusSha256: String
    public var bytes: Int
    public var sourceBytes: Int
    public var sourceSha256: String
    public var metadata: [String: String]
    /// Unknown sidecar fields, as written (stored as JSON text).
    public var extra: [String: JSONValue]
    public var warnings: [String]
    public var ingestedAt: Date
    public var campaign: String? = nil
    public var source: String? = nil
    public var medium: String? = nil
    public var registryID: Int64? = nil
    public var callerAreaCode: String? = nil
    public var callerRegion: String? = nil
    public var callerPlace: String? = nil
    public var callerCountry: String? = nil
    public var retainAudioUntil: Date? = nil
    public var retainRecordUntil: Date? = nil
    public var retentionRule: String? = nil
    public var audioPurgedAt: Date? = nil
    /// The sidecar's `direction` (calls archived before v12-web-attribution are inbound).
    public var direction: Sidecar.Direction = .inbound
    /// The number an outbound call dialled (E.164 when it reads as one); nil for inbound calls.
    public var callee: String? = nil
    /// The sidecar's `callback_request_id`, as written (the request may be imported later).
    public var callbackRequestID: String? = nil
    /// How the call was attributed (`attribution`): set by the ingest's attribution step and by every
    /// relink (``CallAttributor``); the registry's own fields stay in ``campaign``, ``source``, ``medium``.
    public var callAttribution: CallAttribution = .none
    /// Stretches silenced in the archive (DTMF key presses with their guard, the sidecar's `redact`
    /// spans); `[]` when none, and for calls archived before the index kept them (v14-pci-redactions).
    public var redactions: [Redaction] = []
    /// DTMF key presses detected and masked, each counted once; never the keys themselves.
    public var dtmfTonesMasked = 0
    /// Sidecar fields whose value held a payment card number and was replaced by `[redacted-pan]`.
    public var redactedFields: [String] = []

    /// A new call as ingest makes it: unattributed and without retention dates until the ingest
    /// transaction's steps set them. Times are kept as the index stores them (``IndexTime/stored(_:)``),
    /// so the record equals what reading it back gives.
    public init(id: String, callID: String, sidecar: Sidecar, analysis: AudioAnalysis, numbers: Numbers,
                archive: ArchiveFile, source: SourceFile, warnings: [String], ingestedAt: Date,
                attribution: Attribution = .none) {
        self.id = id
        self.callID = callID
        self.caller = numbers.caller
        self.callerRaw = numbers.callerRaw
        self.callerValid = numbers.callerValid
        self.callerName = sidecar.callerName
        self.trackingNumber = numbers.trackingNumber
        self.trackingNumberRaw = numbers.trackingNumberRaw
        self.startedAt = IndexTime.stored(sidecar.startedAt)
        self.durationMs = analysis.durationMs
        self.talkMs = analysis.talkMs
        self.outcome = analysis.outcome
        self.longestSilenceMs = analysis.longestSilenceMs
        self.leadingSilenceMs = analysis.leadingSilenceMs
        self.silences = analysis.silences
        self.channels = analysis.channels
        self.channelRoles = sidecar.channels
        self.channelActivity = analysis.channelActivity
        self.sampleRate = analysis.sampleRate
        self.sourceFormat = analysis.format
        self.sourceName = source.name
        self.disposition = sidecar.disposition
        self.switchDurationMs = sidecar.durationSeconds.map { Int(($0 * 1000).rounded()) }
        self.archivePath = archive.path
        self.sha256 = archive.sha256
        self.opusSha256 = archive.opusSha256
        self.bytes = archive.bytes
        self.sourceBytes = source.bytes
        self.sourceSha256 = source.sha256
        self.metadata = sidecar.metadata
        self.extra = sidecar.extra
        self.warnings = warnings
        self.ingestedAt = IndexTime.stored(ingestedAt)
        self.geography = numbers.geography
        self.attribution = attribution
        self.direction = sidecar.direction
        self.callee = sidecar.callee
        self.callbackRequestID = sidecar.callbackRequestID
        self.redactions = analysis.redactions
        self.dtmfTonesMasked = analysis.dtmfTonesMasked
        self.redactedFields = sidecar.redactedFields
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.useDefaultKeys

    /// The object of `show` and `query --format json`: every column, plus `archive_file` (absolute)
    /// and `holds` (the names of the active holds covering the call; see ``Holds/names(covering:)``),
    /// and `caller_directory` (the caller's directory entry, null when the caller is not in it; see
    /// ``CallerDirectory/entries(for:)``). `directory` has no default so no caller forgets it and
    /// prints a null that would claim the caller is unknown.
    public func output(archiveRoot: String, holds: [String]? = nil, directory: CallerDirectoryEntry?) -> Output {
        Output(record: self, archiveFile: archiveRoot + "/" + archivePath, holds: holds, callerDirectory: directory)
    }

    public struct Output: Encodable, Sendable {
        public let record: CallRecord
        public let archiveFile: String
        public var holds: [String]? = nil
        public var callerDirectory: CallerDirectoryEntry? = nil

        public func encode(to encoder: Encoder) throws {
            try record.encode(to: encoder)
            var c = encoder.container(keyedBy: AnyCodingKey.self)
            let r = record
            if let purgedAt = r.audioPurgedAt {
                // The file is gone by design: no path that leads nowhere, and say why.
                try c.encodeNil(forKey: AnyCodingKey("archive_file"))
                try c.encode(record.purgeNote(purgedAt), forKey: AnyCodingKey("audio"))
            } else {
                try c.encode(archiveFile, forKey: AnyCodingKey("archive_file"))
            }
            if let holds { try c.encode(holds, forKey: AnyCodingKey("holds")) }
            if let callerDirectory {
                try c.encode(callerDirectory, forKey: AnyCodingKey("caller_directory"))
            } else {
                try c.encodeNil(forKey: AnyCodingKey("caller_directory"))
            }
            let absent: [(CodingKeys, Bool)] = [
                (.caller, r.caller == nil), (.callerRaw, r.callerRaw == nil), (.callerValid, r.callerValid == nil),
                (.callerName, r.callerName == nil), (.channelRoles, r.channelRoles == nil),
                (.channelActivity, r.channelActivity == nil), (.disposition, r.disposition == nil),
                (.switchDurationMs, r.switchDurationMs == nil), (.campaign, r.campaign == nil), (.source, r.source == nil),
                (.medium, r.medium == nil), (.registryID, r.registryID == nil), (.callerAreaCode, r.callerAreaCode == nil),
                (.callerRegion, r.callerRegion == nil), (.callerPlace, r.callerPlace == nil), (.callerCountry, r.callerCountry == nil),
                (.retainAudioUntil, r.retainAudioUntil == nil), (.retainRecordUntil, r.retainRecordUntil == nil),
                (.retentionRule, r.retentionRule == nil), (.audioPurgedAt, r.audioPurgedAt == nil),
                (.callee, r.callee == nil), (.callbackRequestID, r.callbackRequestID == nil),
            ]
            for (key, isAbsent) in absent where isAbsent {
                try c.encodeNil(forKey: AnyCodingKey(key.stringValue))
            }
        }

    }

    /// "purged by retention on DATE (rule R)", for `show` and `export` of a purged call.
    public func purgeNote(_ purgedAt: Date) -> String {
        "purged by retention on \(IndexTime.text(purgedAt)) (rule \((retentionRule ?? "unknown").debugDescription))"
    }
}
