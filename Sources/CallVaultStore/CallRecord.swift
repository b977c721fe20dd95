import CallVaultCore
import Foundation
import GRDB

/// One archived call: a row of `calls`, and the object `show` and `query --format json` print.
public struct CallRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "calls"

    public var id: String
    public var callID: String
    public var caller: String?
    public var callerRaw: String?
    public var callerValid: Bool?
    public var callerName: String?
    public var trackingNumber: String
    public var trackingNumberRaw: String
    public var startedAt: String
    public var durationMs: Int
    public var talkMs: Int
    public var outcome: String
    public var longestSilenceMs: Int
    public var leadingSilenceMs: Int
    public var silences: [Interval]
    public var channels: Int
    public var channelRoles: [String]?
    public var sampleRate: Int
    public var sourceFormat: String
    public var sourceName: String
    public var disposition: String?
    public var switchDurationMs: Int?
    public var archivePath: String
    public var sha256: String
    public var bytes: Int
    public var sourceBytes: Int
    public var sourceSha256: String
    public var metadata: [String: String]
    /// Unknown sidecar fields, as written (stored as JSON text).
    public var extra: [String: JSONValue]
    public var warnings: [String]
    public var ingestedAt: String
    public var campaign: String? = nil
    public var source: String? = nil
    public var medium: String? = nil
    public var registryID: Int64? = nil
    public var callerAreaCode: String? = nil
    public var callerRegion: String? = nil
    public var callerPlace: String? = nil
    public var callerCountry: String? = nil
    public var retainAudioUntil: String? = nil
    public var retainRecordUntil: String? = nil
    public var retentionRule: String? = nil
    public var audioPurgedAt: String? = nil

    public init(id: String,
                callID: String,
                caller: String?,
                callerRaw: String?,
                callerValid: Bool?,
                callerName: String?,
                trackingNumber: String,
                trackingNumberRaw: String,
                startedAt: String,
                durationMs: Int,
                talkMs: Int,
                outcome: String,
                longestSilenceMs: Int,
                leadingSilenceMs: Int,
                silences: [Interval],
                channels: Int,
                channelRoles: [String]?,
                sampleRate: Int,
                sourceFormat: String,
                sourceName: String,
                disposition: String?,
                switchDurationMs: Int?,
                archivePath: String,
                sha256: String,
                bytes: Int,
                sourceBytes: Int,
                sourceSha256: String,
                metadata: [String: String],
                extra: [String: JSONValue],
                warnings: [String],
                ingestedAt: String) {
        self.id = id
        self.callID = callID
        self.caller = caller
        self.callerRaw = callerRaw
        self.callerValid = callerValid
        self.callerName = callerName
        self.trackingNumber = trackingNumber
        self.trackingNumberRaw = trackingNumberRaw
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.talkMs = talkMs
        self.outcome = outcome
        self.longestSilenceMs = longestSilenceMs
        self.leadingSilenceMs = leadingSilenceMs
        self.silences = silences
        self.channels = channels
        self.channelRoles = channelRoles
        self.sampleRate = sampleRate
        self.sourceFormat = sourceFormat
        self.sourceName = sourceName
        self.disposition = disposition
        self.switchDurationMs = switchDurationMs
        self.archivePath = archivePath
        self.sha256 = sha256
        self.bytes = bytes
        self.sourceBytes = sourceBytes
        self.sourceSha256 = sourceSha256
        self.metadata = metadata
        self.extra = extra
        self.warnings = warnings
        self.ingestedAt = ingestedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case callID = "call_id"
        case caller
        case callerRaw = "caller_raw"
        case callerValid = "caller_valid"
        case callerName = "caller_name"
        case trackingNumber = "tracking_number"
        case trackingNumberRaw = "tracking_number_raw"
        case startedAt = "started_at"
        case durationMs = "duration_ms"
        case talkMs = "talk_ms"
        case outcome
        case longestSilenceMs = "longest_silence_ms"
        case leadingSilenceMs = "leading_silence_ms"
        case silences, channels
        case channelRoles = "channel_roles"
        case sampleRate = "sample_rate"
        case sourceFormat = "source_format"
        case sourceName = "source_name"
        case disposition
        case switchDurationMs = "switch_duration_ms"
        case archivePath = "archive_path"
        case sha256, bytes
        case sourceBytes = "source_bytes"
        case sourceSha256 = "source_sha256"
        case metadata, extra, warnings
        case ingestedAt = "ingested_at"
        case campaign, source, medium
        case registryID = "registry_id"
        case callerAreaCode = "caller_area_code"
        case callerRegion = "caller_region"
        case callerPlace = "caller_place"
        case callerCountry = "caller_country"
        case retainAudioUntil = "retain_audio_until"
        case retainRecordUntil = "retain_record_until"
        case retentionRule = "retention_rule"
        case audioPurgedAt = "audio_purged_at"
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.useDefaultKeys

    /// The object of `show` and `query --format json`: every column, plus `archive_file` (absolute)
    /// and `holds` (the names of the active holds covering the call; see ``Holds/names(covering:)``).
    public func output(archiveRoot: String, holds: [String]? = nil) -> Output {
        Output(record: self, archiveFile: archiveRoot + "/" + archivePath, holds: holds)
    }

    public struct Output: Encodable, Sendable {
        public let record: CallRecord
        public let archiveFile: String
        public var holds: [String]? = nil

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
            let absent: [(CodingKeys, Bool)] = [
                (.caller, r.caller == nil), (.callerRaw, r.callerRaw == nil), (.callerValid, r.callerValid == nil),
                (.callerName, r.callerName == nil), (.channelRoles, r.channelRoles == nil), (.disposition, r.disposition == nil),
                (.switchDurationMs, r.switchDurationMs == nil), (.campaign, r.campaign == nil), (.source, r.source == nil),
                (.medium, r.medium == nil), (.registryID, r.registryID == nil), (.callerAreaCode, r.callerAreaCode == nil),
                (.callerRegion, r.callerRegion == nil), (.callerPlace, r.callerPlace == nil), (.callerCountry, r.callerCountry == nil),
                (.retainAudioUntil, r.retainAudioUntil == nil), (.retainRecordUntil, r.retainRecordUntil == nil),
                (.retentionRule, r.retentionRule == nil), (.audioPurgedAt, r.audioPurgedAt == nil),
            ]
            for (key, isAbsent) in absent where isAbsent {
                try c.encodeNil(forKey: AnyCodingKey(key.stringValue))
            }
        }

    }

    /// "purged by retention on DATE (rule R)", for `show` and `export` of a purged call.
    public func purgeNote(_ purgedAt: String) -> String {
        "purged by retention on \(purgedAt) (rule \((retentionRule ?? "unknown").debugDescription))"
    }
}
