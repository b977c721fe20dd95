import Foundation
import Testing

private let hasTools = Support.which("sox") != nil && Support.which("curl") != nil

/// m:ss.t, as the call page writes a redaction's times.
private func tenths(_ ms: Int) -> String {
    String(format: "%d:%02d.%d", ms / 60000, (ms / 1000) % 60, (ms / 100) % 10)
}

@Suite("serve: a DTMF-masked call's page, over an index built by callvault run", .serialized)
struct ServeRedactionTests {
    @Test("key presses over real speech and a sidecar redact span: the page shows the count, a band per span and each span's times",
          .enabled(if: hasTools))
    func maskedCallPage() throws {
        let f = try SpoolFixture(name: "serveRedact")
        defer { f.remove() }
        // Real speech with four 100 ms key presses laid over it from 8 s (as PCIRedactionTests).
        try f.addSpeechWithKeyPresses(stem: "masked")
        try f.writeSidecar(stem: "masked", SpoolFixture.sidecar(callID: "masked-1", extra: [
            "caller": "+1 646 555 0170", "redact": [["start_ms": 2000, "end_ms": 4000]]]))
        let run = try f.run()
        try Support.require(run.status == 0, run.stderr)
        let show = try Support.jsonObject(try Support.callvault(["show", "masked-1"] + f.storeFlags).stdout)
        let id = try #require(show["id"] as? String)
        let masked = try #require(show["dtmf_tones_masked"] as? Int)
        #expect(masked == 4, "the four key presses were detected")
        let redactions = try #require(show["redactions"] as? [[String: Any]])
        #expect(redactions.count >= 2)

        try addUser(f, "qa1", role: "qa", password: "qa-password-123")
        let server = try LiveServer(f)
        defer { _ = server.stop() }
        #expect(try server.login("qa1", "qa-password-123").status == 303)
        let page = try server.request("/calls/\(id)")
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains("<p id=\"redaction-summary\">\(masked) key presses masked · 1 span redacted on request</p>"), "\(html)")
        #expect(html.components(separatedBy: "class=\"redaction\"").count == redactions.count + 1, "a band per span")
        for r in redactions {
            let start = try #require(r["start_ms"] as? Int), end = try #require(r["end_ms"] as? Int)
            let what = r["reason"] as? String == "dtmf" ? "key press masked" : "redacted on request"
            let seek = String(format: "#t=%.3f", Double(start) / 1000)
            #expect(html.contains("<li><a href=\"\(seek)\">\(what) \(tenths(start))–\(tenths(end)) (\(String(format: "%.1f", Double(end - start) / 1000)) s)</a>"),
                    "\(what) \(start)–\(end) listed")
            #expect(html.contains("<title>\(what) \(tenths(start))–\(tenths(end))</title>"), "\(what) \(start)–\(end) drawn")
        }
        #expect(html.contains("<li><a href=\"#t=2.000\">redacted on request 0:02.0–0:04.0 (2.0 s)</a></li>"))
        // The key presses were around 8 s: every masked span lies there.
        for r in redactions where r["reason"] as? String == "dtmf" {
            let start = try #require(r["start_ms"] as? Int)
            #expect((7_800...9_000).contains(start), "key press span at \(start) ms")
        }
    }
}
