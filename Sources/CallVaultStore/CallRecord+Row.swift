import CallVaultCore
import Foundation
import GRDB

/// A `calls` row read by hand: the same record, the same defaults and the same errors as the
/// `Decodable` coding (CallRecord+Codable.swift), at a fraction of its cost.
///
/// Why: GRDB's `Decodable` path looks every column up by name through a keyed container and
/// decodes each JSON column with a new `JSONDecoder`; a page of 50 records (the web API's search,
/// `query --format json`) spent more time there than in SQLite. Here each column is read once,
/// JSON columns holding `[]` or `{}` (most of them: no warnings, no redactions) skip the decoder,
/// and the others share one. Columns added by later migrations may be missing from an old index
/// or NULL: they get the defaults the coding gives. `RecordCodingTests` and the migration test
/// (the first release's index) read records through here.
extension CallRecord {
    public init(row: Row) throws {
        let id: String = try row.decode(forColumn: "id")
        func time(_ column: String) throws -> Date? {
            guard let text: String = try row.decode(forColumn: column) else { return nil }
            guard let date = IndexTime.date(text) else {
                throw IndexError(.unusable, "call \(id): \(column) \(text.debugDescription) is not a time (expected e.g. 2026-11-28T14:03:00Z)")
            }
            return date
        }
        func requiredTime(_ column: String) throws -> Date {
            guard let date = try time(column) else { throw IndexError(.unusable, "call \(id): \(column) is missing") }
            return date
        }
        /// A JSON column's value; nil when the column is NULL or missing. `[]` and `{}` need no
        /// decoder; the others share one per record.
        var decoder: JSONDecoder?
        func json<T: Decodable>(_ type: T.Type, _ column: String, empty: T? = nil, emptyText: String = "[]") throws -> T? {
            try row.withUnsafeData(named: column) { data -> T? in
                guard let data else { return nil }
                if let empty, data.elementsEqual(emptyText.utf8) { return empty }
                let d = decoder ?? JSONDecoder()
                decoder = d
                do {
                    return try d.decode(T.self, from: data)
                } catch {
                    throw IndexError(.unusable, "call \(id): \(column) is not the JSON the index writes (\(error))")
                }
            }
        }
        func requiredJSON<T: Decodable>(_ type: T.Type, _ column: String, empty: T? = nil, emptyText: String = "[]") throws -> T {
            guard let value = try json(type, column, empty: empty, emptyText: emptyText) else { throw IndexError(.unusable, "call \(id): \(column) is missing") }
            return value
        }
        self.id = id
        callID = try row.decode(forColumn: "call_id")
        caller = try row.decode(forColumn: "caller")
        callerRaw = try row.decode(forColumn: "caller_raw")
        callerValid = try row.decode(forColumn: "caller_valid")
        callerName = try row.decode(forColumn: "caller_name")
        trackingNumber = try row.decode(forColumn: "tracking_number")
        trackingNumberRaw = try row.decode(forColumn: "tracking_number_raw")
        startedAt = try requiredTime("started_at")
        durationMs = try row.decode(forColumn: "duration_ms")
        talkMs = try row.decode(forColumn: "talk_ms")
        outcome = try Outcome.stored(try row.decode(String.self, forColumn: "outcome"), call: id)
        longestSilenceMs = try row.decode(forColumn: "longest_silence_ms")
        leadingSilenceMs = try row.decode(forColumn: "leading_silence_ms")
        silences = try requiredJSON([Interval].self, "silences", empty: [])
        channels = try row.decode(forColumn: "channels")
        channelRoles = try json([String].self, "channel_roles", empty: [])
        channelActivity = try json([AudioAnalysis.Channel].self, "channel_activity", empty: [])
        sampleRate = try row.decode(forColumn: "sample_rate")
        sourceFormat = try row.decode(forColumn: "source_format")
        sourceName = try row.decode(forColumn: "source_name")
        disposition = try row.decode(forColumn: "disposition")
        switchDurationMs = try row.decode(forColumn: "switch_duration_ms")
        archivePath = try row.decode(forColumn: "archive_path")
        sha256 = try row.decode(forColumn: "sha256")
        // Null for calls archived before v11-opus-sha256 left a plain file: its own hash.
        opusSha256 = try row.decode(String?.self, forColumn: "opus_sha256") ?? sha256
        bytes = try row.decode(forColumn: "bytes")
        sourceBytes = try row.decode(forColumn: "source_bytes")
        sourceSha256 = try row.decode(forColumn: "source_sha256")
        metadata = try requiredJSON([String: String].self, "metadata", empty: [:], emptyText: "{}")
        extra = try requiredJSON([String: JSONValue].self, "extra", empty: [:], emptyText: "{}")
        warnings = try requiredJSON([String].self, "warnings", empty: [])
        ingestedAt = try requiredTime("ingested_at")
        campaign = try row.decode(forColumn: "campaign")
        source = try row.decode(forColumn: "source")
        medium = try row.decode(forColumn: "medium")
        registryID = try row.decode(forColumn: "registry_id")
        callerAreaCode = try row.decode(forColumn: "caller_area_code")
        callerRegion = try row.decode(forColumn: "caller_region")
        callerPlace = try row.decode(forColumn: "caller_place")
        callerCountry = try row.decode(forColumn: "caller_country")
        retainAudioUntil = try time("retain_audio_until")
        retainRecordUntil = try time("retain_record_until")
        retentionRule = try row.decode(forColumn: "retention_rule")
        audioPurgedAt = try time("audio_purged_at")
        if let text: String = try row.decode(forColumn: "direction") {
            guard let d = Sidecar.Direction(rawValue: text) else {
                throw IndexError(.unusable, "call \(id): direction \(text.debugDescription) is not inbound or outbound")
            }
            direction = d
        }
        callee = try row.decode(forColumn: "callee")
        callbackRequestID = try row.decode(forColumn: "callback_request_id")
        callAttribution = try json(CallAttribution.self, "attribution") ?? (registryID == nil ? CallAttribution.none : CallAttribution.number)
        redactions = try json([Redaction].self, "redactions", empty: []) ?? []
        dtmfTonesMasked = try row.decode(Int?.self, forColumn: "dtmf_tones_masked") ?? 0
        redactedFields = try json([String].self, "redacted_fields", empty: []) ?? []
    }
}
