import CallVaultCore
import CallVaultStore
import Foundation

/// The call page's account of what the archive does not hold (issue 15's PCI part): how many key
/// presses were masked, every silenced span with its times (each a link that seeks the player, as
/// the silences are), and the sidecar fields whose card number was replaced.
///
/// A QA lead who hears a gap in a call should see at once that it is a masked key press and not a
/// fault of the recording; a compliance officer should see that the masking happened. The counts
/// come from the record (`dtmf_tones_masked` counts presses, which may be fewer spans than
/// presses when two presses share one guard), never the keys themselves, which were never kept.
///
/// ```swift
/// body += RedactionList(record: r).html   // "" for a call with nothing redacted
/// ```
struct RedactionList {
    let record: CallRecord

    init(record: CallRecord) { self.record = record }

    /// "key press masked" or "redacted on request" (or the stored reason as written).
    static func what(_ r: Redaction) -> String {
        switch r.reason {
        case Redaction.dtmf: "key press masked"
        case Redaction.requested: "redacted on request"
        default: "redacted (\(r.reason))"
        }
    }

    /// One line: "3 key presses masked · 1 span redacted on request", or "none".
    var summary: String {
        let requested = record.redactions.filter { $0.reason != Redaction.dtmf }.count
        var parts: [String] = []
        if record.dtmfTonesMasked > 0 || record.redactions.contains(where: { $0.reason == Redaction.dtmf }) {
            parts.append("\(record.dtmfTonesMasked) key press\(record.dtmfTonesMasked == 1 ? "" : "es") masked")
        }
        if requested > 0 { parts.append("\(requested) span\(requested == 1 ? "" : "s") redacted on request") }
        if !record.redactedFields.isEmpty {
            parts.append("\(record.redactedFields.count) sidecar field\(record.redactedFields.count == 1 ? "" : "s") with a card number replaced")
        }
        return isEmpty ? "none" : parts.joined(separator: " · ")
    }

    /// Nothing masked, nothing replaced.
    var isEmpty: Bool { record.redactions.isEmpty && record.redactedFields.isEmpty && record.dtmfTonesMasked == 0 }

    var html: String {
        let r = record
        guard !isEmpty else { return "" }
        var out = "<section class=\"redactions\" id=\"redactions\"><h2>Redactions</h2><p id=\"redaction-summary\">\(HTML.escape(summary))</p>"
        if !r.redactions.isEmpty {
            out += "<ul class=\"redactions\">"
            for span in r.redactions {
                let seconds = String(format: "%.1f", Double(span.endMs - span.startMs) / 1000)
                let heard = span.channel.map { " — heard on \(HTML.escape(CallTimeline.channelLabel(r, $0)))" } ?? ""
                out += "<li><a href=\"\(CallTimeline.seek(span.startMs))\">\(HTML.escape(Self.what(span))) "
                out += "\(CallTimeline.tenths(span.startMs))–\(CallTimeline.tenths(span.endMs)) (\(seconds) s)</a>\(heard)</li>"
            }
            out += "</ul>"
        }
        if !r.redactedFields.isEmpty {
            out += "<p>Sidecar fields whose card number was replaced by <code>[redacted-pan]</code>: "
            out += "<span id=\"redacted-fields\">\(HTML.escape(r.redactedFields.joined(separator: ", ")))</span></p>"
        }
        return out + "</section>"
    }
}
