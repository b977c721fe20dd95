import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The call page shows what the archive does not hold: masked key presses and requested spans as
/// darker bands on the lanes and as a list with their times, and the sidecar fields replaced.
@Suite("serve: a call's redactions on its page")
struct RedactionPageTests {
    @Test("masked key presses and a requested span: bands across the lanes that seek, a summary, the spans listed with times")
    func redactionsShown() async throws {
        let f = try ServerFixture()
        var r = try f.addCall(callID: "masked1", campaign: "Search-Brand")
        r.channels = 2
        r.channelRoles = ["caller", "agent"]
        r.redactions = [Redaction(startMs: 2_000, endMs: 4_000, channel: nil, reason: Redaction.requested),
                        Redaction(startMs: 8_120, endMs: 8_420, channel: 0, reason: Redaction.dtmf),
                        Redaction(startMs: 8_620, endMs: 8_960, channel: 1, reason: Redaction.dtmf)]
        r.dtmfTonesMasked = 3
        r.redactedFields = ["metadata.note"]
        let record = r
        try await f.index.pool.write { db in try record.update(db) }
        let plain = try f.addCall(callID: "plain1", campaign: "Search-Brand")
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(record.id)", method: .get, headers: s.headers).body)
            let svg = try #require(page.range(of: "<svg class=\"timeline\"").flatMap { start in
                page.range(of: "</svg>", range: start.upperBound..<page.endIndex).map { String(page[start.lowerBound..<$0.upperBound]) }
            })
            // One band per span across the lanes, each a seek link, over the silences.
            #expect(svg.components(separatedBy: "class=\"redaction\"").count == 4)
            #expect(svg.contains("aria-label=\"activity of 1 channel, 1 silence and 3 redactions\""))
            #expect(svg.contains("<a href=\"#t=2.000\" class=\"redaction\">"))
            #expect(svg.contains("<title>redacted on request 0:02.0–0:04.0</title>"))
            #expect(svg.contains("<a href=\"#t=8.120\" class=\"redaction\">") && svg.contains("<title>key press masked 0:08.1–0:08.4</title>"))
            let silence = try #require(svg.range(of: "class=\"silence\""))
            let band = try #require(svg.range(of: "class=\"redaction\""))
            #expect(silence.lowerBound < band.lowerBound, "bands drawn over the silences")
            // The list, readable without SVG or JavaScript.
            #expect(page.contains("<p id=\"redaction-summary\">3 key presses masked · 1 span redacted on request · 1 sidecar field with a card number replaced</p>"))
            #expect(page.contains("<li><a href=\"#t=2.000\">redacted on request 0:02.0–0:04.0 (2.0 s)</a></li>"))
            #expect(page.contains("<li><a href=\"#t=8.120\">key press masked 0:08.1–0:08.4 (0.3 s)</a> — heard on caller</li>"))
            #expect(page.contains("<li><a href=\"#t=8.620\">key press masked 0:08.6–0:08.9 (0.3 s)</a> — heard on agent</li>"))
            #expect(page.contains("<span id=\"redacted-fields\">metadata.note</span>"))
            #expect(page.contains("<tr><th>Redactions</th><td><a href=\"#redactions\">3 key presses masked · 1 span redacted on request · 1 sidecar field with a card number replaced</a></td></tr>"))
            #expect(!page.contains("<script>"), "no inline script: the player's seek script is the only one")

            let other = String(buffer: try await client.execute(uri: "/calls/\(plain.id)", method: .get, headers: s.headers).body)
            #expect(other.contains("<tr><th>Redactions</th><td>none</td></tr>"))
            #expect(!other.contains("class=\"redaction") && !other.contains("id=\"redactions\""))
            #expect(other.contains("aria-label=\"activity of 1 channel and 1 silence\""))
        }
    }
}
