import CallVaultCore
import CallVaultStore
import Foundation

/// The call page's timeline: an SVG with one lane per channel (labelled by its role — caller,
/// agent — or "channel N"), each channel's activity in blue, and the call's silences (every
/// channel quiet) as grey bands across all lanes with their times. Below it the same silences as a
/// list of links, so the page reads without JavaScript or SVG.
///
/// The call's redactions (key presses masked, spans the sidecar asked to redact) are darker grey
/// bands across every lane, since the archive is silent there on every channel; drawn last, over
/// the silences, so a masked key press inside a silence still shows. ``RedactionList`` lists them.
///
/// Each silence is a link to `#t=SECONDS`; the page's script (`/assets/call.js`) turns a click
/// into a seek of the player. Calls archived before the index kept per-channel activity
/// (`channel_activity` null) get one lane, "all channels", active wherever there is no silence.
///
/// ```swift
/// body += CallTimeline(record: r).html
/// ```
struct CallTimeline {
    struct Lane: Equatable {
        var label: String
        var activity: [Interval]
    }

    let durationMs: Int
    let lanes: [Lane]
    let silences: [Interval]
    let redactions: [Redaction]

    init(record r: CallRecord) {
        durationMs = max(r.durationMs, 1)
        silences = r.silences
        redactions = r.redactions
        if let channels = r.channelActivity, !channels.isEmpty {
            lanes = channels.map { c in Lane(label: Self.channelLabel(r, c.index), activity: c.activity) }
        } else {
            lanes = [Lane(label: "all channels", activity: Self.complement(of: r.silences, durationMs: r.durationMs))]
        }
    }

    /// A channel's name on the page: its role from the analysis, else from the sidecar's channel
    /// list, else "channel N" (counted from 1).
    static func channelLabel(_ r: CallRecord, _ index: Int) -> String {
        let role = r.channelActivity?.first { $0.index == index }?.role
            ?? r.channelRoles.flatMap { index >= 0 && index < $0.count ? $0[index] : nil }
        return role ?? "channel \(index + 1)"
    }

    /// The stretches of `0..<durationMs` outside `gaps` (sorted, non-overlapping).
    static func complement(of gaps: [Interval], durationMs: Int) -> [Interval] {
        var result: [Interval] = []
        var at = 0
        for g in gaps.sorted(by: { $0.startMs < $1.startMs }) {
            if g.startMs > at { result.append(Interval(startMs: at, endMs: g.startMs)) }
            at = max(at, g.endMs)
        }
        if at < durationMs { result.append(Interval(startMs: at, endMs: durationMs)) }
        return result
    }

    static let labelWidth = 100.0, barWidth = 800.0, laneHeight = 22.0, laneGap = 6.0, top = 4.0

    static func clock(_ ms: Int) -> String { String(format: "%d:%02d", ms / 60000, (ms / 1000) % 60) }
    /// m:ss.t — a masked key press lasts a fraction of a second.
    static func tenths(_ ms: Int) -> String { String(format: "%d:%02d.%d", ms / 60000, (ms / 1000) % 60, (ms / 100) % 10) }
    static func seek(_ ms: Int) -> String { "#t=" + String(format: "%.3f", Double(ms) / 1000) }
    private func x(_ ms: Int) -> Double { Self.labelWidth + Double(ms) / Double(durationMs) * Self.barWidth }
    private func w(_ i: Interval) -> String { String(format: "%.1f", max(Double(i.lengthMs) / Double(durationMs) * Self.barWidth, 1)) }
    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var html: String {
        let e = HTML.escape
        let lanesHeight = Double(lanes.count) * (Self.laneHeight + Self.laneGap) - Self.laneGap
        let height = Self.top + lanesHeight + 22
        let width = Self.labelWidth + Self.barWidth
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" "
        let channelsText = "\(lanes.count) channel\(lanes.count == 1 ? "" : "s")", silencesText = "\(silences.count) silence\(silences.count == 1 ? "" : "s")"
        svg += "aria-label=\"activity of " + (redactions.isEmpty ? "\(channelsText) and \(silencesText)"
            : "\(channelsText), \(silencesText) and \(redactions.count) redaction\(redactions.count == 1 ? "" : "s")") + "\">"
        for (i, lane) in lanes.enumerated() {
            let y = Self.top + Double(i) * (Self.laneHeight + Self.laneGap)
            svg += "<g class=\"lane\"><text x=\"0\" y=\"\(f(y + 15))\" font-size=\"12\">\(e(lane.label))</text>"
            svg += "<rect x=\"\(f(Self.labelWidth))\" y=\"\(f(y))\" width=\"\(Int(Self.barWidth))\" height=\"\(Int(Self.laneHeight))\" fill=\"#eef0f4\"/>"
            for run in lane.activity {
                svg += "<rect class=\"active\" x=\"\(f(x(run.startMs)))\" y=\"\(f(y))\" width=\"\(w(run))\" height=\"\(Int(Self.laneHeight))\" fill=\"#2f6fde\">"
                svg += "<title>\(e(lane.label)) \(Self.clock(run.startMs))–\(Self.clock(run.endMs))</title></rect>"
            }
            svg += "</g>"
        }
        // Drawn after the lanes, across every lane, so a click anywhere on a silence lands on its link.
        for s in silences {
            svg += "<a href=\"\(Self.seek(s.startMs))\" class=\"silence\"><rect x=\"\(f(x(s.startMs)))\" y=\"\(f(Self.top))\" width=\"\(w(s))\" "
            svg += "height=\"\(f(lanesHeight))\" fill=\"#9aa3b2\" fill-opacity=\"0.55\"><title>silence \(Self.clock(s.startMs))–\(Self.clock(s.endMs))</title></rect>"
            svg += "<text x=\"\(f(x(s.startMs)))\" y=\"\(f(Self.top + lanesHeight + 14))\" font-size=\"11\">\(Self.clock(s.startMs))</text></a>"
        }
        for r in redactions {
            svg += "<a href=\"\(Self.seek(r.startMs))\" class=\"redaction\"><rect x=\"\(f(x(r.startMs)))\" y=\"\(f(Self.top))\" "
            svg += "width=\"\(w(Interval(startMs: r.startMs, endMs: r.endMs)))\" height=\"\(f(lanesHeight))\" fill=\"#3d4452\" fill-opacity=\"0.6\">"
            svg += "<title>\(e(RedactionList.what(r))) \(Self.tenths(r.startMs))–\(Self.tenths(r.endMs))</title></rect></a>"
        }
        svg += "<text x=\"\(f(Self.labelWidth))\" y=\"\(f(height - 2))\" font-size=\"12\">0:00</text>"
        svg += "<text x=\"\(f(width))\" y=\"\(f(height - 2))\" font-size=\"12\" text-anchor=\"end\">\(Self.clock(durationMs))</text></svg>"
        var list = "<ul class=\"silences\">"
        for s in silences {
            list += "<li><a href=\"\(Self.seek(s.startMs))\">silence \(Self.clock(s.startMs))–\(Self.clock(s.endMs)) (\(String(format: "%.1f", Double(s.lengthMs) / 1000)) s)</a></li>"
        }
        return svg + list + "</ul>"
    }
}
