import CallVaultCore
import CallVaultStore
import Foundation

/// Reads the sidecar's numbers (E.164, geography) and gathers the warnings, then builds the index
/// record from the sidecar, the analysis, the numbers and the archive and source files.
enum RecordBuilder {
    static func record(id: String, callID: String, sidecar: Sidecar, analysis: AudioAnalysis, sourceName: String,
                       archivePath: String, sha256: String, opusSha256: String, bytes: Int, source: (hex: String, bytes: Int),
                       defaultCountryCode: String, now: Date) -> CallRecord {
        var warnings = analysis.warnings
        for field in sidecar.redactedFields {
            warnings.append("sidecar field \(field) held a payment card number; "
                + (field == "call_id" ? "ignored (the call is named by its file name instead)" : "replaced by \(PaymentCardNumber.replacement)"))
        }
        let numbers = NumberReading(countryCode: defaultCountryCode)
        let caller = sidecar.caller.map { numbers.read($0) } ?? .withheld
        if case .unparseable(let raw) = caller {
            warnings.append("caller \(raw.debugDescription) could not be normalised to E.164; kept as written")
        }
        let tracking = numbers.read(sidecar.trackingNumber)
        if !tracking.isValid && !(sidecar.direction == .outbound && sidecar.trackingNumber.isEmpty) {
            warnings.append("tracking_number \(sidecar.trackingNumber.debugDescription) could not be normalised to E.164; kept as written")
        }
        if let switchSeconds = sidecar.durationSeconds, abs(switchSeconds * 1000 - Double(analysis.durationMs)) > 1000 {
            warnings.append(String(format: "the sidecar's duration_s (%.1f s) disagrees with the audio (%.1f s)",
                                   switchSeconds, Double(analysis.durationMs) / 1000))
        }
        let numbersRead = CallRecord.Numbers(
            caller: caller.stored, callerRaw: sidecar.caller, callerValid: sidecar.caller == nil ? nil : caller.isValid,
            trackingNumber: tracking.stored ?? sidecar.trackingNumber, trackingNumberRaw: sidecar.trackingNumber,
            geography: PhoneGeography.lookup(caller.isValid ? caller.stored : nil))
        // An outbound call's callee, read like every number so it matches a call-back request's phone.
        let callee = sidecar.callee.map { numbers.read($0) }
        if case .unparseable(let raw)? = callee {
            warnings.append("callee \(raw.debugDescription) could not be normalised to E.164; kept as written")
        }
        var record = CallRecord(id: id, callID: callID, sidecar: sidecar, analysis: analysis, numbers: numbersRead,
                                archive: CallRecord.ArchiveFile(path: archivePath, sha256: sha256, bytes: bytes, opusSha256: opusSha256),
                                source: CallRecord.SourceFile(name: sourceName, sha256: source.hex, bytes: source.bytes),
                                warnings: warnings, ingestedAt: now)
        record.callee = callee?.stored ?? sidecar.callee
        return record
    }
}
