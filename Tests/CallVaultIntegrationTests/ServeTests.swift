import Foundation
import Testing

/// `callvault serve` started on a free port over an index built by `callvault run` from real
/// speech, driven over HTTP with curl as a browser or a script would.
final class LiveServer {
    let process: Process
    let url: String
    let jar: String
    private let errPipe: Pipe

    convenience init(_ f: SpoolFixture, extra: [String] = []) throws {
        try self.init(f, flags: f.storeFlags + extra)
    }

    /// `serve` with these store flags (e.g. `--config FILE` naming a PostgreSQL index), its
    /// cookie jar in `f`'s folder.
    init(_ f: SpoolFixture, flags: [String]) throws {
        jar = f.root.appendingPathComponent("cookies-\(UUID().uuidString.prefix(6))").path
        let errPipe = Pipe()
        self.errPipe = errPipe
        process = try Support.start(["serve", "--listen", "127.0.0.1:0", "--log-level", "warning"] + flags,
                                    stdin: FileHandle.nullDevice, stderr: errPipe)
        // The first line on stderr: "callvault: serving on http://127.0.0.1:PORT".
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("\n") && Date() < deadline && process.isRunning {
            let chunk = errPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let r = text.range(of: "serving on ") else {
            process.terminate()
            throw ServeTestError("serve did not start: \(text)")
        }
        url = String(text[r.upperBound...].prefix { !$0.isWhitespace })
        // Keep draining stderr so the server never blocks on a full pipe.
        errPipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    /// SIGTERM (graceful shutdown); the exit status, or -1 when it had to be killed after 30 s.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            errPipe.fileHandleForReading.readabilityHandler = nil
            return -1
        }
        errPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    }

    /// One request with curl; `session` keeps cookies in this server's jar.
    func request(_ path: String, headers: [String] = [], session: Bool = true, jar: String? = nil) throws -> Answer {
        try request("GET", path, headers: headers, data: nil, session: session, jar: jar)
    }

    func request(_ method: String, _ path: String, headers: [String] = [], data: String? = nil, session: Bool = true,
                 jar: String? = nil) throws -> Answer {
        let dir = FileManager.default.temporaryDirectory.path
        let headerFile = dir + "/cv-h-\(UUID().uuidString)", bodyFile = dir + "/cv-b-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: headerFile); try? FileManager.default.removeItem(atPath: bodyFile) }
        var args = ["-s", "-X", method, "-D", headerFile, "-o", bodyFile, "-w", "%{http_code}", "--max-time", "60"]
        if session { args += ["-b", jar ?? self.jar, "-c", jar ?? self.jar] }
        if url.hasPrefix("https:") { args.append("-k") }  // the tests' self-signed certificate
        for h in headers { args += ["-H", h] }
        if let data { args += ["--data-binary", data] }
        let r = try Support.run("curl", args + [url + path])
        var fields: [String: String] = [:]
        for line in (try? String(contentsOfFile: headerFile, encoding: .utf8))?.split(separator: "\r\n") ?? [] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { $0 + "\n" + value } ?? value
        }
        return Answer(status: Int(r.stdout) ?? 0, headers: fields, body: FileManager.default.contents(atPath: bodyFile) ?? Data())
    }

    /// Signs in through the login form (its CSRF token comes with the form's cookie).
    func login(_ user: String, _ password: String, jar: String? = nil) throws -> Answer {
        let form = try request("GET", "/login", jar: jar)
        let html = form.text
        guard let r = html.range(of: "name=\"csrf\" value=\"") else { throw ServeTestError("no csrf in the login form") }
        let csrf = String(html[r.upperBound...].prefix { $0 != "\"" })
        return try request("POST", "/login", headers: ["Content-Type: application/x-www-form-urlencoded"],
                           data: "csrf=\(csrf)&username=\(user)&password=\(password)", jar: jar)
    }

    func csrf(jar: String? = nil) throws -> String {
        let html = try request("/calls", jar: jar).text
        guard let r = html.range(of: "name=\"csrf\" value=\"") else { throw ServeTestError("no csrf on /calls") }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// `callvault user add NAME --role ROLE` with the password on stdin (and a confirmation line).
func addUser(_ f: SpoolFixture, _ name: String, role: String, password: String) throws {
    let input = Pipe(), err = Pipe()
    let p = try Support.start(["user", "add", name, "--role", role] + f.storeFlags, stdin: input, stderr: err)
    input.fileHandleForWriting.write(Data("\(password)\n\(password)\n".utf8))
    try input.fileHandleForWriting.close()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw ServeTestError("user add \(name): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
    }
}

@Suite("serve: the web application over an index built by callvault run", .serialized)
struct ServeTests {
    static let registry = """
    tracking_number,campaign,source,medium,valid_from,valid_to
    (415) 555-0100,Search-Brand,google,cpc,2026-01-01,
    +1 415 555 0101,Radio-KFOG,kfog,radio,,

    """

    static func buildIndex() throws -> SpoolFixture {
        let f = try SpoolFixture(name: "serve")
        let calls: [(String, String, String, String)] = [
            ("s1", "speech.wav", "(415) 555-0100", "2026-11-20T14:00:00Z"),
            ("s2", "speech.flac", "415.555.0100", "2026-11-21T09:00:00Z"),
            ("r1", "speech-gsm.wav", "+1 415 555 0101", "2026-11-22T10:00:00Z"),
        ]
        for (stem, fixture, number, time) in calls {
            try f.add(stem: stem, fixture: fixture, sidecar: SpoolFixture.sidecar(number, at: time, callID: stem, extra: ["caller": "(212) 555-0187"]))
        }
        let csv = f.root.appendingPathComponent("registry.csv").path
        try registry.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try Support.callvault(["numbers", "import", csv, "--db", f.database])
        precondition(imported.status == 0, imported.stderr)
        let r = try f.run()
        precondition(r.status == 0, r.stderr)
        return f
    }

    @Test("log in, search a campaign (the same calls as query), a call page, Range requests with the archive's bytes, holds by role, the access trail, lockout, SIGTERM")
    func endToEnd() throws {
        let f = try Self.buildIndex()
        defer { f.remove() }
        let password = "qa-password-123"
        try addUser(f, "qa1", role: "qa", password: password)
        try addUser(f, "comp1", role: "compliance", password: "compliance-pw-456")
        let token = try Support.callvault(["user", "token", "comp1"] + f.storeFlags)
        #expect(token.status == 0)
        let compToken = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(compToken.hasPrefix("cvt_") && !compToken.contains(" "))
        #expect(try f.sql("SELECT count(*) FROM users WHERE password_hash LIKE '$2_$12$%' AND token_sha256 IS NOT NULL") == [["1"]])
        #expect(try f.sql("SELECT count(*) FROM users WHERE token_sha256 = '\(compToken)'") == [["0"]], "only a digest is stored")

        let server = try LiveServer(f)
        var stopped = false
        defer { if !stopped { _ = server.stop() } }

        // Anonymous: 401 JSON for the API and audio, a redirect for pages, /healthz open.
        let anonAPI = try server.request("/api/calls", session: false)
        #expect(anonAPI.status == 401)
        #expect((anonAPI.json as? [String: Any])?["error"] is String)
        let anonPage = try server.request("/calls", session: false)
        #expect(anonPage.status == 303)
        #expect(anonPage.headers["location"]?.hasPrefix("/login") == true)
        #expect(try server.request("/healthz", session: false).text == "ok\n")

        let login = try server.login("qa1", password)
        #expect(login.status == 303)
        #expect(login.headers["set-cookie"]?.contains("HttpOnly") == true)
        #expect(login.headers["set-cookie"]?.contains("SameSite=Strict") == true)

        // Search by campaign: the same calls as `callvault query --campaign`.
        let api = try server.request("/api/calls?campaign=Search-Brand")
        #expect(api.status == 200)
        let answer = try #require(api.json as? [String: Any])
        let apiIDs = Set((answer["calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        let cli = try Support.callvault(["query", "--campaign", "Search-Brand", "--format", "json", "--limit", "0"] + f.storeFlags)
        let cliIDs = Set((try Support.json(cli.stdout) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(apiIDs.count == 2)
        #expect(apiIDs == cliIDs)
        #expect(answer["total"] as? Int == 2)
        let page = try server.request("/calls?campaign=Search-Brand")
        #expect(page.text.contains("<span id=\"total\">2</span>"))
        #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)

        // A call page and its audio: every byte range equals the archive file's bytes.
        let id = try #require(apiIDs.sorted().first)
        let callPage = try server.request("/calls/\(id)")
        #expect(callPage.status == 200)
        #expect(callPage.text.components(separatedBy: "<audio").count == 2)
        let record = try #require(try Support.json(try Support.callvault(["show", id] + f.storeFlags).stdout) as? [String: Any])
        let file = try #require(FileManager.default.contents(atPath: record["archive_file"] as! String))
        let whole = try server.request("/calls/\(id)/audio")
        #expect(whole.status == 200)
        #expect(whole.body == file)
        #expect(whole.headers["content-type"] == "audio/ogg; codecs=opus")
        #expect(whole.headers["etag"] == "\"\(record["sha256"] as! String)\"")
        let mid = file.count / 2
        for (range, slice) in [("0-99", 0..<100), ("\(mid)-", mid..<file.count), ("\(mid)-\(mid + 4095)", mid..<(mid + 4096)), ("-500", (file.count - 500)..<file.count)] {
            let part = try server.request("/calls/\(id)/audio", headers: ["Range: bytes=\(range)"])
            #expect(part.status == 206, "\(range)")
            #expect(part.body == file.subdata(in: slice), "bytes \(range)")
            #expect(part.headers["content-range"] == "bytes \(slice.lowerBound)-\(slice.upperBound - 1)/\(file.count)")
        }
        let download = try server.request("/calls/\(id)/audio?download=1")
        #expect(download.headers["content-disposition"]?.contains(".opus\"") == true)

        // Holds: refused to qa (even with its CSRF token), placed by compliance with a token.
        let qaCSRF = try server.csrf()
        let refused = try server.request("POST", "/holds", headers: ["Content-Type: application/x-www-form-urlencoded"],
                                         data: "csrf=\(qaCSRF)&name=CASE-1&reason=discovery&campaign=Search-Brand")
        #expect(refused.status == 403)
        let refusedAPI = try server.request("POST", "/api/holds", headers: ["Content-Type: application/json", "X-CSRF-Token: \(qaCSRF)"],
                                            data: #"{"name":"CASE-1","reason":"discovery","campaign":"Search-Brand"}"#)
        #expect(refusedAPI.status == 403)
        let placed = try server.request("POST", "/api/holds", headers: ["Authorization: Bearer \(compToken)", "Content-Type: application/json"],
                                        data: #"{"name":"CASE-1","reason":"discovery","campaign":"Search-Brand"}"#, session: false)
        #expect(placed.status == 201)
        #expect((placed.json as? [String: Any])?["calls"] as? Int == 2)
        let show = try #require(try Support.json(try Support.callvault(["show", id] + f.storeFlags).stdout) as? [String: Any])
        #expect(show["holds"] as? [String] == ["CASE-1"])
        let listed = try Support.json(try Support.callvault(["query", "--format", "json", "--limit", "0"] + f.storeFlags).stdout) as? [[String: Any]] ?? []
        #expect(listed.count == 3)
        for call in listed {
            let held = (call["campaign"] as? String) == "Search-Brand"
            #expect(call["holds"] as? [String] == (held ? ["CASE-1"] : []), "query --format json holds of \(call["id"] ?? "")")
        }

        // Lockout: five wrong passwords lock comp1; the right one is then refused.
        let otherJar = f.root.appendingPathComponent("other-jar").path
        for _ in 0..<5 { #expect(try server.login("comp1", "wrong-password", jar: otherJar).status == 401) }
        #expect(try server.login("comp1", "compliance-pw-456", jar: otherJar).status == 429)

        // SIGTERM: a graceful stop.
        #expect(server.stop() == 0)
        stopped = true

        // The access trail: one play and one download by qa1, from 127.0.0.1.
        let trail = try Support.callvault(["audit", "list", "--action", "access", "--format", "json"] + f.storeFlags)
        let entries = try #require(try Support.json(trail.stdout) as? [[String: Any]])
        #expect(entries.map { $0["reason"] as? String } == ["play", "download"])
        for e in entries {
            #expect(e["ids"] as? [String] == [id])
            let details = e["details"] as? [String: String]
            #expect(details?["by"] == "qa1")
            #expect(details?["address"] == "127.0.0.1")
        }
        let locks = try Support.callvault(["audit", "list", "--action", "login_locked", "--format", "json"] + f.storeFlags)
        #expect((try Support.json(locks.stdout) as? [[String: Any]])?.isEmpty == false)
        #expect(try Support.callvault(["verify"] + f.storeFlags).status == 0)
    }

    @Test("[serve] tls_cert and tls_key: the server speaks HTTPS and the session cookie is Secure")
    func tls() throws {
        let f = try SpoolFixture(name: "serveTLS")
        defer { f.remove() }
        let cert = f.root.appendingPathComponent("cert.pem").path, key = f.root.appendingPathComponent("key.pem").path
        let made = try Support.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                               "-days", "2", "-subj", "/CN=127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let config = f.root.appendingPathComponent("callvault.toml").path
        try "[serve]\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\nsession_hours = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        try addUser(f, "qa1", role: "qa", password: "qa-password-123")
        let server = try LiveServer(f, extra: ["--config", config])
        defer { _ = server.stop() }
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        let login = try server.login("qa1", "qa-password-123")
        #expect(login.status == 303)
        let cookie = (login.headers["set-cookie"] ?? "").split(separator: "\n").first { $0.hasPrefix("cv_session=") }.map(String.init) ?? ""
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Max-Age=3600"))
        #expect(try server.request("/api/calls").status == 200)
    }
}
