/// Column names and values as a marketing manager reads them in the HTML report: `talk_ms_avg`
/// ▶ "Average talk", 94,500 ms ▶ `1:34`, 0.873 ▶ `87.3%`. CSV and JSON keep the raw names and numbers.
enum ReadableColumn {
    static let names: [String: String] = [
        "bucket": "", "calls": "Calls", "answered": "Answered", "missed": "Missed", "abandoned": "Abandoned",
        "answer_rate": "Answer rate", "unique_callers": "Unique callers", "first_time_callers": "First-time callers",
        "talk_ms_total": "Talk time (total)", "talk_ms_avg": "Talk time (average)", "duration_ms_avg": "Duration (average)",
        "duration_ms": "Duration", "talk_ms": "Talk time", "longest_silence_ms": "Longest silence", "started_at": "Started (UTC)",
        "repeat_callers": "Repeat callers", "returning_callers": "Returning callers", "area_code": "Area code",
        "tracking_number": "Tracking number", "got_through_later": "Got through later", "change_pct": "Change %",
    ]

    static func header(_ column: String) -> String {
        if let name = names[column] { return name }
        let words = column.replacingOccurrences(of: "_ms", with: "").split(separator: "_")
        guard let first = words.first else { return column }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst().map(String.init)).joined(separator: " ")
    }

    static func cell(_ column: String, _ value: ReportTable.Value) -> String {
        switch value {
        case .int(let ms) where column.hasSuffix("_ms") || column.hasSuffix("_ms_total"): return duration(Double(ms))
        case .number(let ms) where column.hasSuffix("_ms_avg") || column.hasSuffix("_ms"): return duration(ms)
        case .number(let r) where column.hasSuffix("_rate"): return percent(r)
        default: return value.display
        }
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func duration(_ ms: Double) -> String {
        let total = Int((ms / 1000).rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
        return "\(m):\(ss)"
    }

    static func percent(_ rate: Double) -> String {
        let tenths = (rate * 1000).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
    }
}
