import CallVaultCore
import CallVaultStore
import Foundation

/// Assembles the index record from the sidecar, the analysis and the archive file.
enum RecordBuilder {
    static func record(id: String, callID: String, sidecar: Sidecar, analysis: AudioAnalysis, sourceName: String,
                       archivePath: String, sha256: String, bytes: Int, source: (hex: String, bytes: Int),
                       defaultCountryCode: String, now: Date) -> CallRecord {
        var warnings = analysis.warnings
        let numbers = NumberReading(countryCode: defaultCountryCode)
        let caller = sidecar.caller.map { numbers.read($0) } ?? .withheld
        if case .unparseable(let raw) = caller {
            warnings.append("caller \(raw.debugDescription) could not be normalised to E.164; kept as written")
        }
        let tracking = numbers.read(sidecar.trackingNumber)
        if !tracking.isValid {
            warnings.append("tracking_number \(sidecar.trackingNumber.debugDescription) could not be normalised to E.164; kept as written")
        }
        if let switchSeconds = sidecar.durationSeconds, abs(switchSeconds * 1000 - Double(analysis.durationMs)) > 1000 {
            warnings.append(String(format: "the sidecar's duration_s (%.1f s) disagrees with the audio (%.1f s)",
                                   switchSeconds, Double(analysis.durationMs) / 1000))
        }
        let geography = PhoneGeography.lookup(caller.isValid ? caller.stored : nil)
        var record = CallRecord(
            id: id, callID: callID,
            caller: caller.stored, callerRaw: sidecar.caller, callerValid: sidecar.caller == nil ? nil : caller.isValid,
            callerName: sidecar.callerName,
            trackingNumber: tracking.stored ?? sidecar.trackingNumber, trackingNumberRaw: sidecar.trackingNumber,
            startedAt: Timestamp.format(sidecar.startedAt),
            durationMs: analysis.durationMs, talkMs: analysis.talkMs, outcome: analysis.outcome.rawValue,
            longestSilenceMs: analysis.longestSilenceMs, leadingSilenceMs: analysis.leadingSilenceMs,
            silences: analysis.silences, channels: analysis.channels, channelRoles: sidecar.channels,
            sampleRate: analysis.sampleRate, sourceFormat: analysis.format, sourceName: sourceName,
            disposition: sidecar.disposition,
            switchDurationMs: sidecar.durationSeconds.map { Int(($0 * 1000).rounded()) },
            archivePath: archivePath, sha256: sha256, bytes: bytes, sourceBytes: source.bytes, sourceSha256: source.hex,
            metadata: sidecar.metadata, extra: sidecar.extra, warnings: warnings, ingestedAt: Timestamp.format(now))
        record.callerAreaCode = geography.areaCode
        record.callerRegion = geography.region
        record.callerPlace = geography.place
        record.callerCountry = geography.country
        return record
    }
}
