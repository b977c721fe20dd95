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
        let dir = f.root.path
        // Real speech with four 100 ms key presses laid over it from 8 s (as PCIRedactionTests).
        let script = """
        cd '\(dir)'
        sox '\(Support.fixture("speech.wav"))' -b 16 a.wav trim 0 8
        sox '\(Support.fixture("speech.wav"))' -b 16 b.wav trim 8
        for f in "697 1209" "770 1336" "852 1477" "941 1633"; do set -- $f
          sox -n -r 8000 -c 1 -b 16 k_$1.wav synth 0.1 sine $1 sine $2 channels 2 remix 1v0.4,2v0.3 pad 0 0.1
        done
        sox k_697.wav k_770.wav k_852.wav k_941.wav keys.wav
        sox -m -v 1 b.wav -v 1 keys.wav c.wav
        sox a.wav c.wav '\(f.incoming)/masked.wav'
        """
        let gen = try Support.run("/bin/bash", ["-euo", "pipefail", "-c", script])
        try Support.require(gen.status == 0, gen.stderr)
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
