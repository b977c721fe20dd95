import Foundation
import Testing

/// A WebDriver client in plain HTTP JSON (curl) to Debian's chromedriver driving headless Chromium.
final class WebDriver {
    let process: Process
    let base: String
    var session = ""

    init() throws {
        let port = Int.random(in: 20000...40000)
        base = "http://127.0.0.1:\(port)"
        process = try Support.start(["--port=\(port)"], executable: "/usr/bin/chromedriver")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let status = try? call("GET", "/status"), (status["value"] as? [String: Any])?["ready"] as? Bool == true { break }
            usleep(200_000)
        }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:loggingPrefs": ["browser": "ALL"],
            "goog:chromeOptions": ["binary": "/usr/bin/chromium",
                                   "args": ["--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required",
                                            "--window-size=1280,1000", "--disable-gpu"]],
        ]]]
        let created = try call("POST", "/session", caps)
        guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw ServeTestError("chromedriver: no session (\(created))")
        }
        session = id
    }

    func quit() {
        _ = try? call("DELETE", "/session/\(session)")
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> [String: Any] {
        var args = ["-s", "--max-time", "120", "-X", method, "-H", "Content-Type: application/json"]
        if let body { args += ["--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)] }
        let r = try Support.run("curl", args + [base + path])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    func go(_ url: String) throws { try call("POST", "/session/\(session)/url", ["url": url]) }

    func script(_ source: String, async: Bool = false) throws -> Any? {
        try call("POST", "/session/\(session)/execute/\(async ? "async" : "sync")", ["script": source, "args": []])["value"]
    }

    func screenshot(to path: String) throws {
        guard let b64 = try call("GET", "/session/\(session)/screenshot")["value"] as? String, let png = Data(base64Encoded: b64) else {
            throw ServeTestError("no screenshot")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// Browser console entries at level SEVERE.
    func consoleErrors() throws -> [String] {
        let logs = try call("POST", "/session/\(session)/se/log", ["type": "browser"])["value"] as? [[String: Any]] ?? []
        return logs.filter { ($0["level"] as? String) == "SEVERE" }.compactMap { $0["message"] as? String }
    }
}

@Suite("serve in a real browser: headless Chromium over chromedriver", .serialized)
struct BrowserTests {
    @Test("log in, search a campaign, open a call, play it: readyState ≥ 2, duration within 0.1 s of duration_ms, a seek to the middle lands; screenshots kept")
    func playInChromium() throws {
        let f = try ServeTests.buildIndex()
        defer { f.remove() }
        try addUser(f, "qa1", role: "qa", password: "qa-password-123")
        let server = try LiveServer(f)
        defer { _ = server.stop() }
        let driver = try WebDriver()
        defer { driver.quit() }
        let artefacts = Support.packageRoot.appendingPathComponent(".build/test-artifacts/serve").path
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)

        try driver.go(server.url + "/login")
        _ = try driver.script("""
            document.querySelector('input[name=username]').value = 'qa1';
            document.querySelector('input[name=password]').value = 'qa-password-123';
            document.querySelector('form.login').submit();
            """)
        usleep(1_500_000)
        #expect((try driver.script("return location.pathname") as? String) == "/calls")
        try driver.go(server.url + "/calls?campaign=Search-Brand")
        #expect((try driver.script("return document.getElementById('total').textContent") as? String) == "2")
        try driver.screenshot(to: artefacts + "/calls-page.png")
        let href = try #require(try driver.script("return document.querySelector('table.calls a').getAttribute('href')") as? String)
        let id = String(href.dropFirst("/calls/".count))
        let record = try #require(try Support.json(try Support.callvault(["show", id] + f.storeFlags).stdout) as? [String: Any])
        let durationMs = try #require(record["duration_ms"] as? Int)

        try driver.go(server.url + href)
        #expect((try driver.script("return document.querySelectorAll('audio').length") as? Int) == 1)
        let loaded = try driver.script("""
            var done = arguments[arguments.length - 1];
            var a = document.getElementById('player');
            function report() { done({readyState: a.readyState, duration: a.duration}); }
            if (a.readyState >= 2) { report(); } else {
              a.addEventListener('loadeddata', report); a.preload = 'auto'; a.load();
              setTimeout(report, 20000);
            }
            """, async: true) as? [String: Any]
        let readyState = loaded?["readyState"] as? Int ?? 0
        let duration = loaded?["duration"] as? Double ?? .nan
        #expect(readyState >= 2, "readyState \(readyState)")
        #expect(abs(duration - Double(durationMs) / 1000) < 0.1, "duration \(duration) s against duration_ms \(durationMs)")
        let seek = try driver.script("""
            var done = arguments[arguments.length - 1];
            var a = document.getElementById('player');
            var target = a.duration / 2;
            a.addEventListener('seeked', function () { done({currentTime: a.currentTime, target: target}); });
            a.currentTime = target;
            setTimeout(function () { done({currentTime: a.currentTime, target: target, timeout: true}); }, 20000);
            """, async: true) as? [String: Any]
        let landed = seek?["currentTime"] as? Double ?? -1
        let target = seek?["target"] as? Double ?? -2
        #expect(seek?["timeout"] == nil, "the seek completed")
        #expect(abs(landed - target) < 0.5, "seek to \(target) landed at \(landed)")
        // Playing from the middle works.
        let played = try driver.script("""
            var done = arguments[arguments.length - 1];
            var a = document.getElementById('player');
            var start = a.currentTime;
            a.play().then(function () { setTimeout(function () { a.pause(); done(a.currentTime - start); }, 1500); },
                          function (e) { done('play failed: ' + e); });
            """, async: true)
        #expect((played as? Double ?? 0) > 0.5, "played \(String(describing: played))")
        try driver.screenshot(to: artefacts + "/call-page.png")
        let errors = try driver.consoleErrors()
        #expect(errors.isEmpty, "console errors: \(errors)")
    }
}
