import CallVaultCore
import Foundation
import GRDB

/// The audit entry of a call whose archived form had something kept out of it: DTMF key presses
/// silenced, spans the sidecar asked to silence, sidecar fields whose card number was replaced.
///
/// One entry per call (action `redaction`), written in the ingest transaction, so a call is never
/// in the index without it. It says what and where, never what was removed: counts, the spans in
/// milliseconds with their reason and channel, the names of the fields; no digit of a key or a card.
///
/// ```json
/// {"action": "redaction", "ids": ["c5f0…"], "reason": "2 DTMF key presses masked in 1 span; 1 requested span masked",
///  "details": {"dtmf_tones_masked": "2", "spans": "dtmf 41960-43120 ms channel 0; requested 50000-62000 ms",
///              "span_count": "2", "fields": ""}}
/// ```
public enum RedactionAudit {
    public static let action = "redaction"

    /// Nothing when the record has no redaction.
    public static func append(_ record: CallRecord, _ db: Database) throws {
        guard let entry = entry(for: record) else { return }
        try AuditLog.append(db, action: action, ids: [record.id], reason: entry.reason, details: entry.details)
    }

    /// The reason and details of `record`'s entry, or nil when nothing was redacted.
    public static func entry(for record: CallRecord) -> (reason: String, details: [String: String])? {
        guard !record.redactions.isEmpty || !record.redactedFields.isEmpty else { return nil }
        let dtmf = record.redactions.filter { $0.reason == Redaction.dtmf }
        let requested = record.redactions.filter { $0.reason == Redaction.requested }
        var parts: [String] = []
        if record.dtmfTonesMasked > 0 || !dtmf.isEmpty {
            parts.append("\(record.dtmfTonesMasked) DTMF key press\(record.dtmfTonesMasked == 1 ? "" : "es") masked in \(dtmf.count) span\(dtmf.count == 1 ? "" : "s")")
        }
        if !requested.isEmpty {
            parts.append("\(requested.count) requested span\(requested.count == 1 ? "" : "s") masked")
        }
        if !record.redactedFields.isEmpty {
            parts.append("card number replaced in \(record.redactedFields.count) sidecar field\(record.redactedFields.count == 1 ? "" : "s")")
        }
        let spans = record.redactions.map { r in
            "\(r.reason) \(r.startMs)-\(r.endMs) ms" + (r.channel.map { " channel \($0)" } ?? "")
        }
        return (parts.joined(separator: "; "), [
            "dtmf_tones_masked": "\(record.dtmfTonesMasked)",
            "span_count": "\(record.redactions.count)",
            "spans": spans.joined(separator: "; "),
            "fields": record.redactedFields.joined(separator: ", "),
        ])
    }
}
