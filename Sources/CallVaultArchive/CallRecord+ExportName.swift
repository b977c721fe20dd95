import CallVaultStore
import Foundation

extension CallRecord {
    /// The readable file name `export` and the web download use:
    /// `DATE_TIME_CAMPAIGN_CALLER_ID.opus` (UTC), e.g. `2026-11-20_1400_Search-Brand_+12125550187_c1a2….opus`.
    public var exportFileName: String {
        let stamp = IndexTime.text(startedAt).prefix(16).replacingOccurrences(of: "T", with: "_").replacingOccurrences(of: ":", with: "")
        func safe(_ s: String?) -> String {
            String((s ?? "none").map { $0.isLetter || $0.isNumber || "+-.".contains($0) ? $0 : "-" }.prefix(40))
        }
        return "\(stamp)_\(safe(campaign ?? "unassigned"))_\(safe(caller ?? "anonymous"))_\(id).opus"
    }
}

extension CallRecord {
    /// The columns of `query --format csv` and the web application's CSV download.
    public static let csvColumns = csvFields.map(\.name)

    /// This record's values for ``csvColumns`` (nil for an absent value), read from the fields
    /// themselves: numbers in decimal, text as stored.
    public func csvValues(archiveRoot: String) -> [String?] {
        Self.csvFields.map { $0.value(self) }
    }

    /// Each CSV column with the field it prints, in order.
    private static let csvFields: [(name: String, value: @Sendable (CallRecord) -> String?)] = [
        ("id", { $0.id }), ("call_id", { $0.callID }), ("started_at", { IndexTime.text($0.startedAt) }), ("campaign", { $0.campaign }),
        ("source", { $0.source }), ("medium", { $0.medium }), ("tracking_number", { $0.trackingNumber }), ("caller", { $0.caller }),
        ("caller_name", { $0.callerName }), ("caller_area_code", { $0.callerAreaCode }), ("caller_region", { $0.callerRegion }),
        ("caller_place", { $0.callerPlace }), ("caller_country", { $0.callerCountry }), ("outcome", { $0.outcome.rawValue }),
        ("duration_ms", { "\($0.durationMs)" }), ("talk_ms", { "\($0.talkMs)" }), ("longest_silence_ms", { "\($0.longestSilenceMs)" }),
        ("disposition", { $0.disposition }), ("archive_path", { $0.archivePath }), ("sha256", { $0.sha256 }), ("bytes", { "\($0.bytes)" }),
    ]
}
