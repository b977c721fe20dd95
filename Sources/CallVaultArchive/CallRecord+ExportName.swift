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
    public static let csvColumns = ["id", "call_id", "started_at", "campaign", "source", "medium", "tracking_number", "caller",
                                    "caller_name", "caller_area_code", "caller_region", "caller_place", "caller_country", "outcome",
                                    "duration_ms", "talk_ms", "longest_silence_ms", "disposition", "archive_path", "sha256", "bytes"]

    /// This record's values for ``csvColumns`` (nil for an absent value).
    public func csvValues(archiveRoot: String) -> [String?] {
        let o = jsonObject(archiveRoot: archiveRoot)
        return Self.csvColumns.map { key in
            guard let v = o[key], !(v is NSNull) else { return nil }
            return "\(v)"
        }
    }
}
