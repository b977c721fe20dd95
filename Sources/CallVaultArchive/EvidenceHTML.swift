import CallVaultCore
import CallVaultStore
import Foundation

/// The bundle's `index.html`: everything in the bundle, readable in any browser from the folder
/// itself. Rendered when the bundle is made, so it needs no script and loads nothing from a
/// network (the players' sources are the bundle's own `audio/` files; the style is in the page).
enum EvidenceHTML {
    static func page(header: EvidenceBundle.Header, calls: [EvidenceIndex.Call], checks: [EvidenceBundle.Check],
                     entries: [AuditLog.Entry], chainProblem: String?) -> String {
        let e = escape
        var body = """
        <p>Made \(e(header.createdAt)) by \(e(header.createdBy)) (\(e(header.via)), \(e(header.tool))); selection: \(e(header.selection)); \
        \(header.callCount) calls. Check the files with <code>sha256sum -c SHA256SUMS</code> in this folder.
        Machine-readable: <a href="manifest.json">manifest.json</a>, <a href="verify.json">verify.json</a>,
        <a href="audit.json">audit.json</a>, <a href="audit.csv">audit.csv</a>, <a href="SHA256SUMS">SHA256SUMS</a>.</p>
        <p>Audit chain: \(chainProblem.map { "<strong class=\"bad\">broken: \(e($0))</strong>" } ?? "intact")</p>
        <h2>Calls</h2>
        """
        let checkByID = Dictionary(checks.map { ($0.id, $0) }) { a, _ in a }
        for call in calls {
            let r = call.record
            let check = checkByID[r.id]
            body += "<section id=\"\(e(r.id))\"><h3>\(e(IndexTime.text(r.startedAt))) · \(e(r.campaign ?? "unassigned")) · \(e(r.id))</h3><table>"
            let rows: [(String, String?)] = [
                ("call_id", r.callID), ("caller", r.caller ?? "anonymous"), ("caller name", call.directory?.name ?? r.callerName),
                ("tracking number", r.trackingNumber), ("source", r.source), ("outcome", r.outcome.rawValue),
                ("duration", String(format: "%.1f s", Double(r.durationMs) / 1000)), ("talk", String(format: "%.1f s", Double(r.talkMs) / 1000)),
                ("holds", call.holds.isEmpty ? "none" : call.holds.joined(separator: ", ")),
                ("recorded SHA-256", r.sha256), ("check now", check.map { $0.status + ($0.problem.map { ": " + $0 } ?? "") }),
                ("bundled file", check?.bundleFile), ("its SHA-256", check?.bundleSHA256),
            ]
            for (name, value) in rows { body += "<tr><th>\(e(name))</th><td>\(e(value ?? "—"))</td></tr>" }
            body += "</table>"
            if let file = check?.bundleFile, file.hasSuffix(".opus") {
                body += "<audio controls preload=\"none\" src=\"\(e(file))\"></audio>"
            }
            body += "</section>"
        }
        body += "<h2>Audit trail (\(entries.count) entries naming these calls)</h2><table><tr><th>seq</th><th>at</th><th>action</th><th>by</th><th>reason</th><th>calls</th></tr>"
        for entry in entries {
            body += "<tr><td>\(entry.seq)</td><td>\(e(entry.at))</td><td>\(e(entry.action))</td><td>\(e(entry.details["by"] ?? entry.osUser))</td>"
                + "<td>\(e(entry.reason))</td><td>\(e(entry.ids.joined(separator: " ")))</td></tr>"
        }
        body += "</table>"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Evidence bundle · callvault</title>
        <style>body{font:14px/1.4 sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}\
        th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}\
        section{border-top:2px solid #888;margin-top:1.5em}.bad{color:#b00}code{background:#f3f3f3}</style>
        </head><body><h1>Evidence bundle</h1>
        \(body)
        </body></html>

        """
    }

    static func escape(_ s: String?) -> String { HTMLText.escape(s) }
}
