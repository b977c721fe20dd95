import CallVaultCore
import Foundation

/// The one coding of a record, for its `calls` row (GRDB) and for the JSON of `show`, `query` and
/// the web API: snake_case keys, times as ``IndexTime`` text, `outcome` as its raw value, absent
/// optional values left out (``CallRecord/Output`` writes them as null).
///
/// Written by hand because the times are `Date`s whose text must not depend on the encoder's date
/// strategy, and because a value the index should never hold (an unknown outcome, a time that does
/// not parse) must be an error naming the call, not a crash or a silent default.
extension CallRecord: Codable {
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
        case channelActivity = "channel_activity"
        case sampleRate = "sample_rate"
        case sourceFormat = "source_format"
        case sourceName = "source_name"
        case disposition
        case switchDurationMs = "switch_duration_ms"
        case archivePath = "archive_path"
        case sha256, bytes
        case opusSha256 = "opus_sha256"
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
        case direction, callee
        case callbackRequestID = "callback_request_id"
        case callAttribution = "attribution"
        case redactions
        case dtmfTonesMasked = "dtmf_tones_masked"
        case redactedFields = "redacted_fields"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        func time(_ key: CodingKeys) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = IndexTime.date(text) else {
                throw IndexError(.unusable, "call \(id): \(key.stringValue) \(text.debugDescription) is not a time (expected e.g. 2026-11-28T14:03:00Z)")
            }
            return date
        }
        func requiredTime(_ key: CodingKeys) throws -> Date {
            guard let date = try time(key) else { throw IndexError(.unusable, "call \(id): \(key.stringValue) is missing") }
            return date
        }
        self.id = id
        callID = try c.decode(String.self, forKey: .callID)
        caller = try c.decodeIfPresent(String.self, forKey: .caller)
        callerRaw = try c.decodeIfPresent(String.self, forKey: .callerRaw)
        callerValid = try c.decodeIfPresent(Bool.self, forKey: .callerValid)
        callerName = try c.decodeIfPresent(String.self, forKey: .callerName)
        trackingNumber = try c.decode(String.self, forKey: .trackingNumber)
        trackingNumberRaw = try c.decode(String.self, forKey: .trackingNumberRaw)
        startedAt = try requiredTime(.startedAt)
        durationMs = try c.decode(Int.self, forKey: .durationMs)
        talkMs = try c.decode(Int.self, forKey: .talkMs)
        outcome = try Outcome.stored(try c.decode(String.self, forKey: .outcome), call: id)
        longestSilenceMs = try c.decode(Int.self, forKey: .longestSilenceMs)
        leadingSilenceMs = try c.decode(Int.self, forKey: .leadingSilenceMs)
        silences = try c.decode([Interval].self, forKey: .silences)
        channels = try c.decode(Int.self, forKey: .channels)
        channelRoles = try c.decodeIfPresent([String].self, forKey: .channelRoles)
        channelActivity = try c.decodeIfPresent([AudioAnalysis.Channel].self, forKey: .channelActivity)
        sampleRate = try c.decode(Int.self, forKey: .sampleRate)
        sourceFormat = try c.decode(String.self, forKey: .sourceFormat)
        sourceName = try c.decode(String.self, forKey: .sourceName)
        disposition = try c.decodeIfPresent(String.self, forKey: .disposition)
        switchDurationMs = try c.decodeIfPresent(Int.self, forKey: .switchDurationMs)
        archivePath = try c.decode(String.self, forKey: .archivePath)
        sha256 = try c.decode(String.self, forKey: .sha256)
        // Null for calls archived before v11-opus-sha256 left a plain file: its own hash.
        opusSha256 = try c.decodeIfPresent(String.self, forKey: .opusSha256) ?? sha256
        bytes = try c.decode(Int.self, forKey: .bytes)
        sourceBytes = try c.decode(Int.self, forKey: .sourceBytes)
        sourceSha256 = try c.decode(String.self, forKey: .sourceSha256)
        metadata = try c.decode([String: String].self, forKey: .metadata)
        extra = try c.decode([String: JSONValue].self, forKey: .extra)
        warnings = try c.decode([String].self, forKey: .warnings)
        ingestedAt = try requiredTime(.ingestedAt)
        campaign = try c.decodeIfPresent(String.self, forKey: .campaign)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        medium = try c.decodeIfPresent(String.self, forKey: .medium)
        registryID = try c.decodeIfPresent(Int64.self, forKey: .registryID)
        callerAreaCode = try c.decodeIfPresent(String.self, forKey: .callerAreaCode)
        callerRegion = try c.decodeIfPresent(String.self, forKey: .callerRegion)
        callerPlace = try c.decodeIfPresent(String.self, forKey: .callerPlace)
        callerCountry = try c.decodeIfPresent(String.self, forKey: .callerCountry)
        retainAudioUntil = try time(.retainAudioUntil)
        retainRecordUntil = try time(.retainRecordUntil)
        retentionRule = try c.decodeIfPresent(String.self, forKey: .retentionRule)
        audioPurgedAt = try time(.audioPurgedAt)
        if let text = try c.decodeIfPresent(String.self, forKey: .direction) {
            guard let d = Sidecar.Direction(rawValue: text) else {
                throw IndexError(.unusable, "call \(id): direction \(text.debugDescription) is not inbound or outbound")
            }
            direction = d
        }
        callee = try c.decodeIfPresent(String.self, forKey: .callee)
        callbackRequestID = try c.decodeIfPresent(String.self, forKey: .callbackRequestID)
        callAttribution = try c.decodeIfPresent(CallAttribution.self, forKey: .callAttribution)
            ?? (registryID == nil ? CallAttribution.none : CallAttribution.number)
        redactions = try c.decodeIfPresent([Redaction].self, forKey: .redactions) ?? []
        dtmfTonesMasked = try c.decodeIfPresent(Int.self, forKey: .dtmfTonesMasked) ?? 0
        redactedFields = try c.decodeIfPresent([String].self, forKey: .redactedFields) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(callID, forKey: .callID)
        try c.encodeIfPresent(caller, forKey: .caller)
        try c.encodeIfPresent(callerRaw, forKey: .callerRaw)
        try c.encodeIfPresent(callerValid, forKey: .callerValid)
        try c.encodeIfPresent(callerName, forKey: .callerName)
        try c.encode(trackingNumber, forKey: .trackingNumber)
        try c.encode(trackingNumberRaw, forKey: .trackingNumberRaw)
        try c.encode(IndexTime.text(startedAt), forKey: .startedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(talkMs, forKey: .talkMs)
        try c.encode(outcome.rawValue, forKey: .outcome)
        try c.encode(longestSilenceMs, forKey: .longestSilenceMs)
        try c.encode(leadingSilenceMs, forKey: .leadingSilenceMs)
        try c.encode(silences, forKey: .silences)
        try c.encode(channels, forKey: .channels)
        try c.encodeIfPresent(channelRoles, forKey: .channelRoles)
        try c.encodeIfPresent(channelActivity, forKey: .channelActivity)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(sourceFormat, forKey: .sourceFormat)
        try c.encode(sourceName, forKey: .sourceName)
        try c.encodeIfPresent(disposition, forKey: .disposition)
        try c.encodeIfPresent(switchDurationMs, forKey: .switchDurationMs)
        try c.encode(archivePath, forKey: .archivePath)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(opusSha256, forKey: .opusSha256)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(sourceBytes, forKey: .sourceBytes)
        try c.encode(sourceSha256, forKey: .sourceSha256)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(extra, forKey: .extra)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(IndexTime.text(ingestedAt), forKey: .ingestedAt)
        try c.encodeIfPresent(campaign, forKey: .campaign)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encodeIfPresent(medium, forKey: .medium)
        try c.encodeIfPresent(registryID, forKey: .registryID)
        try c.encodeIfPresent(callerAreaCode, forKey: .callerAreaCode)
        try c.encodeIfPresent(callerRegion, forKey: .callerRegion)
        try c.encodeIfPresent(callerPlace, forKey: .callerPlace)
        try c.encodeIfPresent(callerCountry, forKey: .callerCountry)
        try c.encodeIfPresent(retainAudioUntil.map(IndexTime.text), forKey: .retainAudioUntil)
        try c.encodeIfPresent(retainRecordUntil.map(IndexTime.text), forKey: .retainRecordUntil)
        try c.encodeIfPresent(retentionRule, forKey: .retentionRule)
        try c.encodeIfPresent(audioPurgedAt.map(IndexTime.text), forKey: .audioPurgedAt)
        try c.encode(direction.rawValue, forKey: .direction)
        try c.encodeIfPresent(callee, forKey: .callee)
        try c.encodeIfPresent(callbackRequestID, forKey: .callbackRequestID)
        try c.encode(callAttribution, forKey: .callAttribution)
        try c.encode(redactions, forKey: .redactions)
        try c.encode(dtmfTonesMasked, forKey: .dtmfTonesMasked)
        try c.encode(redactedFields, forKey: .redactedFields)
    }
}
