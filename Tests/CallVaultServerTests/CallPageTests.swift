import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The call page and the calls list as a QA lead reads them: each channel's lane, the silences,
/// and the start time in the reader's zone beside UTC.
@Suite("serve: the call page's timeline and times")
struct CallPageTests {
    /// The fixture's router, but with `[serve] time_zone` set.
    static func app(_ f: ServerFixture, zone: String) throws -> some ApplicationProtocol {
        var settings = f.state.settings
        settings.timeZone = try #require(TimeZone(identifier: zone))
        let clock = f.clock
        return Application(router: CallVaultServer.buildRouter(state: ServerState(index: f.index, settings: settings, now: { clock.now })))
    }

    @Test("one lane per channel labelled by its role (or channel N), activity runs with their times, silences across the lanes seek")
    func lanes() async throws {
        let f = try ServerFixture()
        var r = try f.addCall(callID: "lanes1", campaign: "Search-Brand")
        r.channels = 3
        r.channelRoles = ["caller", "agent"]
        r.channelActivity = [
            AudioAnalysis.Channel(index: 0, role: "caller", activity: [Interval(startMs: 0, endMs: 4_000), Interval(startMs: 6_500, endMs: 8_000)]),
            AudioAnalysis.Channel(index: 1, role: nil, activity: [Interval(startMs: 1_000, endMs: 3_500)]),
            AudioAnalysis.Channel(index: 2, role: nil, activity: [Interval(startMs: 8_000, endMs: 10_000)]),
        ]
        let record = r
        try await f.index.pool.write { db in try record.update(db) }
        #expect(try f.index.call(id: r.id)?.channelActivity == r.channelActivity, "the index keeps each channel's activity")
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(record.id)", method: .get, headers: s.headers).body)
            let svg = try #require(page.range(of: "<svg class=\"timeline\"").flatMap { start in
                page.range(of: "</svg>", range: start.upperBound..<page.endIndex).map { String(page[start.lowerBound..<$0.upperBound]) }
            })
            #expect(svg.components(separatedBy: "<g class=\"lane\">").count == 4, "three lanes")
            // Roles from the analysis, else the sidecar's channel list, else "channel N".
            #expect(svg.contains(">caller</text>") && svg.contains(">agent</text>") && svg.contains(">channel 3</text>"))
            #expect(svg.contains("<title>caller 0:06–0:08</title>"))
            #expect(svg.contains("<title>agent 0:01–0:03</title>"))
            #expect(svg.components(separatedBy: "class=\"active\"").count == 5)
            // The silence spans every lane and is a link the page's script turns into a seek.
            #expect(svg.contains("<a href=\"#t=4.000\" class=\"silence\">"))
            #expect(svg.contains("<title>silence 0:04–0:06</title>"))
            // Without JavaScript or SVG the silences are still a list of links.
            #expect(page.contains("<ul class=\"silences\"><li><a href=\"#t=4.000\">silence 0:04–0:06 (2.5 s)</a></li></ul>"))
            #expect(!page.contains("<script>") && page.contains("<script src=\"/assets/call.js\""))
            let script = String(buffer: try await client.execute(uri: "/assets/call.js", method: .get).body)
            #expect(script.contains("a[href^=\"#t=\"]") && script.contains("currentTime"))
        }
    }

    @Test("a call archived before channel activity was kept shows one lane, active outside its silences")
    func oneLaneForOldCalls() async throws {
        let f = try ServerFixture()
        let r = try f.addCall(callID: "old1", campaign: "X")
        #expect(r.channelActivity == [])
        var old = r
        old.channelActivity = nil
        let record = old
        try await f.index.pool.write { db in try record.update(db) }
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(r.id)", method: .get, headers: s.headers).body)
            #expect(page.components(separatedBy: "<g class=\"lane\">").count == 2)
            #expect(page.contains(">all channels</text>"))
            #expect(page.contains("<title>all channels 0:00–0:04</title>") && page.contains("<title>all channels 0:06–0:10</title>"))
            #expect(page.contains("href=\"#t=4.000\""))
        }
    }

    @Test("start times in [serve] time_zone, named, beside UTC on the call page and the list; the form's tz overrides per request")
    func localAndUTC() async throws {
        let f = try ServerFixture()
        let r = try f.addCall(callID: "tz1", campaign: "Search-Brand", startedAt: "2026-11-20T14:00:00Z")
        try f.addCall(callID: "tz2", campaign: "Search-Brand", startedAt: "2026-11-21T03:00:00Z")   // the 20th, 22:00 in New York
        try await Self.app(f, zone: "America/New_York").test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(r.id)", method: .get, headers: s.headers).body)
            #expect(page.contains("<th>Started (America/New_York)</th><td><span id=\"started-local\">2026-11-20 09:00:00 EST</span>"))
            #expect(page.contains("<span id=\"started-utc\">2026-11-20T14:00:00Z</span>"))
            let tokyo = String(buffer: try await client.execute(uri: "/calls/\(r.id)?tz=Asia/Tokyo", method: .get, headers: s.headers).body)
            #expect(tokyo.contains("<th>Started (Asia/Tokyo)</th><td><span id=\"started-local\">2026-11-20 23:00:00 GMT+9</span>"))
            // Foundation on Linux calls UTC "GMT"; the page says UTC, as the configuration does.
            let utc = String(buffer: try await client.execute(uri: "/calls/\(r.id)?tz=UTC", method: .get, headers: s.headers).body)
            #expect(utc.contains("<th>Started (UTC)</th><td><span id=\"started-local\">2026-11-20 14:00:00 UTC</span>"))
            #expect(!utc.contains("GMT"))
            #expect(try await client.execute(uri: "/calls/\(r.id)?tz=Nowhere/Else", method: .get, headers: s.headers).status == .badRequest)

            let list = String(buffer: try await client.execute(uri: "/calls", method: .get, headers: s.headers).body)
            #expect(list.contains("<th>Started (America/New_York)</th><th>UTC</th>"))
            #expect(list.contains(">2026-11-20 09:00:00 EST</a>") && list.contains("<td class=\"utc\">2026-11-20T14:00:00Z</td>"))
            #expect(list.contains("<input name=\"tz\" value=\"America/New_York\">"))
            // A day without a zone is a day in the server's zone; the form's tz names another.
            let day = String(buffer: try await client.execute(uri: "/calls?since=2026-11-20&until=2026-11-20", method: .get, headers: s.headers).body)
            #expect(day.contains("<span id=\"total\">2</span>"))
            let utcDay = String(buffer: try await client.execute(uri: "/calls?since=2026-11-20&until=2026-11-20&tz=UTC", method: .get, headers: s.headers).body)
            #expect(utcDay.contains("<span id=\"total\">1</span>"))
            let paris = String(buffer: try await client.execute(uri: "/calls?tz=Europe/Paris", method: .get, headers: s.headers).body)
            #expect(paris.contains("<th>Started (Europe/Paris)</th>") && paris.contains(">2026-11-20 15:00:00 GMT+1</a>"))
            #expect(paris.contains("href=\"/calls/\(r.id)?tz=Europe%2FParis\""), "the call page keeps the list's zone")
        }
    }
}
