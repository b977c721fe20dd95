import CallVaultCore
import Foundation

/// The `query --format json` object of a record written straight into bytes: the same bytes as
/// `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` gives for ``CallRecord/Output``
/// (CallRecord+Codable.swift and CallRecord.swift say what the object holds; this file only writes
/// it faster). The web API's search (`GET /api/calls`) answers 50 records a request, and the
/// encoder's boxing and per-object key sort were most of its time.
///
/// A field added to the record's coding must be added here too: `CallRecordJSONTests` compares
/// the two on records with every field set and with every optional field empty.
///
/// ```swift
/// var json = JSONBytes()
/// try record.output(archiveRoot: root, holds: [], directory: nil).writeJSON(into: &json)
/// ```
extension CallRecord.Output {
    /// Every key the object can have; ``order`` sorts them as `.sortedKeys` does.
    enum Field: String, CaseIterable {
        case id, callID = "call_id", caller, callerRaw = "caller_raw", callerValid = "caller_valid", callerName = "caller_name"
        case trackingNumber = "tracking_number", trackingNumberRaw = "tracking_number_raw", startedAt = "started_at"
        case durationMs = "duration_ms", talkMs = "talk_ms", outcome, longestSilenceMs = "longest_silence_ms"
        case leadingSilenceMs = "leading_silence_ms", silences, channels, channelRoles = "channel_roles"
        case channelActivity = "channel_activity", sampleRate = "sample_rate", sourceFormat = "source_format"
        case sourceName = "source_name", disposition, switchDurationMs = "switch_duration_ms", archivePath = "archive_path"
        case sha256, bytes, opusSha256 = "opus_sha256", sourceBytes = "source_bytes", sourceSha256 = "source_sha256"
        case metadata, extra, warnings, ingestedAt = "ingested_at", campaign, source, medium, registryID = "registry_id"
        case callerAreaCode = "caller_area_code", callerRegion = "caller_region", callerPlace = "caller_place"
        case callerCountry = "caller_country", retainAudioUntil = "retain_audio_until", retainRecordUntil = "retain_record_until"
        case retentionRule = "retention_rule", audioPurgedAt = "audio_purged_at", direction, callee
        case callbackRequestID = "callback_request_id", attribution, redactions, dtmfTonesMasked = "dtmf_tones_masked"
        case redactedFields = "redacted_fields"
        // Output's own keys.
        case archiveFile = "archive_file", audio, holds, callerDirectory = "caller_directory"
    }

    static let order: [Field] = {
        let byKey = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, $0) })
        return JSONBytes.sortedKeys(Field.allCases.map(\.rawValue)).compactMap { byKey[$0] }
    }()

    /// `"key":` of each field of ``order``, escaped once.
    static let keyBytes: [[UInt8]] = order.map { field in
        var k = JSONBytes()
        k.key(field.rawValue, first: true)
        return k.bytes
    }

    static let intervalKeys = JSONBytes.sortedKeys(["start_ms", "end_ms"])
    static let channelKeys = JSONBytes.sortedKeys(["channel", "role", "activity", "active_ms"])
    static let redactionKeys = JSONBytes.sortedKeys(["start_ms", "end_ms", "channel", "reason"])
    static let attributionKeys = JSONBytes.sortedKeys(CallAttribution.fieldNames)
    static let directoryKeys = JSONBytes.sortedKeys(CallerDirectoryEntry.columns)

    /// Appends this object's JSON to `json`.
    public func writeJSON(into json: inout JSONBytes) throws {
        let r = record
        json.open()
        var first = true
        for (n, field) in Self.order.enumerated() {
            // Keys written only sometimes: `audio` for purged audio, `holds` when asked for.
            if field == .audio && r.audioPurgedAt == nil { continue }
            if field == .holds && holds == nil { continue }
            if !first { json.comma() }
            json.raw(Self.keyBytes[n])
            first = false
            switch field {
            case .id: json.string(r.id)
            case .callID: json.string(r.callID)
            case .caller: json.optional(r.caller)
            case .callerRaw: json.optional(r.callerRaw)
            case .callerValid: if let v = r.callerValid { json.bool(v) } else { json.null() }
            case .callerName: json.optional(r.callerName)
            case .trackingNumber: json.string(r.trackingNumber)
            case .trackingNumberRaw: json.string(r.trackingNumberRaw)
            case .startedAt: json.string(IndexTime.text(r.startedAt))
            case .durationMs: json.int(r.durationMs)
            case .talkMs: json.int(r.talkMs)
            case .outcome: json.string(r.outcome.rawValue)
            case .longestSilenceMs: json.int(r.longestSilenceMs)
            case .leadingSilenceMs: json.int(r.leadingSilenceMs)
            case .silences: Self.intervals(r.silences, &json)
            case .channels: json.int(r.channels)
            case .channelRoles: if let roles = r.channelRoles { json.strings(roles) } else { json.null() }
            case .channelActivity:
                if let channels = r.channelActivity { Self.channels(channels, &json) } else { json.null() }
            case .sampleRate: json.int(r.sampleRate)
            case .sourceFormat: json.string(r.sourceFormat)
            case .sourceName: json.string(r.sourceName)
            case .disposition: json.optional(r.disposition)
            case .switchDurationMs: if let ms = r.switchDurationMs { json.int(ms) } else { json.null() }
            case .archivePath: json.string(r.archivePath)
            case .sha256: json.string(r.sha256)
            case .bytes: json.int(r.bytes)
            case .opusSha256: json.string(r.opusSha256)
            case .sourceBytes: json.int(r.sourceBytes)
            case .sourceSha256: json.string(r.sourceSha256)
            case .metadata: json.object(r.metadata)
            case .extra: try json.object(r.extra)
            case .warnings: json.strings(r.warnings)
            case .ingestedAt: json.string(IndexTime.text(r.ingestedAt))
            case .campaign: json.optional(r.campaign)
            case .source: json.optional(r.source)
            case .medium: json.optional(r.medium)
            case .registryID: if let id = r.registryID { json.int(id) } else { json.null() }
            case .callerAreaCode: json.optional(r.callerAreaCode)
            case .callerRegion: json.optional(r.callerRegion)
            case .callerPlace: json.optional(r.callerPlace)
            case .callerCountry: json.optional(r.callerCountry)
            case .retainAudioUntil: json.optional(r.retainAudioUntil.map(IndexTime.text))
            case .retainRecordUntil: json.optional(r.retainRecordUntil.map(IndexTime.text))
            case .retentionRule: json.optional(r.retentionRule)
            case .audioPurgedAt: json.optional(r.audioPurgedAt.map(IndexTime.text))
            case .direction: json.string(r.direction.rawValue)
            case .callee: json.optional(r.callee)
            case .callbackRequestID: json.optional(r.callbackRequestID)
            case .attribution: Self.attribution(r.callAttribution, &json)
            case .redactions: Self.redactions(r.redactions, &json)
            case .dtmfTonesMasked: json.int(r.dtmfTonesMasked)
            case .redactedFields: json.strings(r.redactedFields)
            case .archiveFile: if r.audioPurgedAt == nil { json.string(archiveFile) } else { json.null() }
            case .audio: json.optional(r.audioPurgedAt.map(r.purgeNote))
            case .holds: json.strings(holds ?? [])
            case .callerDirectory: if let d = callerDirectory { Self.directory(d, &json) } else { json.null() }
            }
        }
        json.close()
    }

    private static func intervals(_ items: [Interval], _ json: inout JSONBytes) {
        json.raw("[")
        for (n, i) in items.enumerated() {
            if n > 0 { json.comma() }
            json.open()
            for (k, key) in intervalKeys.enumerated() {
                json.key(key, first: k == 0)
                json.int(key == "start_ms" ? i.startMs : i.endMs)
            }
            json.close()
        }
        json.raw("]")
    }

    private static func channels(_ items: [AudioAnalysis.Channel], _ json: inout JSONBytes) {
        json.raw("[")
        for (n, c) in items.enumerated() {
            if n > 0 { json.comma() }
            json.open()
            var first = true
            for key in channelKeys {
                // `role` is left out when nil (the synthesised coding's encodeIfPresent).
                if key == "role" && c.role == nil { continue }
                json.key(key, first: first)
                first = false
                switch key {
                case "channel": json.int(c.index)
                case "role": json.optional(c.role)
                case "activity": intervals(c.activity, &json)
                default: json.int(c.activeMs)
                }
            }
            json.close()
        }
        json.raw("]")
    }

    private static func redactions(_ items: [Redaction], _ json: inout JSONBytes) {
        json.raw("[")
        for (n, r) in items.enumerated() {
            if n > 0 { json.comma() }
            json.open()
            for (k, key) in redactionKeys.enumerated() {
                json.key(key, first: k == 0)
                switch key {
                case "start_ms": json.int(r.startMs)
                case "end_ms": json.int(r.endMs)
                case "channel": if let c = r.channel { json.int(c) } else { json.null() }
                default: json.string(r.reason)
                }
            }
            json.close()
        }
        json.raw("]")
    }

    private static func attribution(_ a: CallAttribution, _ json: inout JSONBytes) {
        json.open()
        for (k, key) in attributionKeys.enumerated() {
            json.key(key, first: k == 0)
            json.optional(a.value(key))
        }
        json.close()
    }

    private static func directory(_ d: CallerDirectoryEntry, _ json: inout JSONBytes) {
        json.open()
        for (k, key) in directoryKeys.enumerated() {
            json.key(key, first: k == 0)
            let value: String? = key == "number" ? d.number : d.fields.first(where: { $0.column == key })?.value
            json.optional(value)
        }
        json.close()
    }
}
