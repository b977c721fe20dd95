import CallVaultTestSupport
import Foundation
import Testing

/// `callvault serve` on a PostgreSQL index (issue 20): the same real-speech calls in a SQLite and a
/// PostgreSQL index, one server on each, the same requests to both — pages, the JSON API, reports,
/// audio ranges, holds placed over the API, a login, a lockout and a logout — and the same answers
/// and audit entries from both (masked: the archive roots and today's times).
@Suite("serve on PostgreSQL", .serialized,
       .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresServeTests {
    static let password = "compliance-pw-456"

    @Test("every page and API answer, audio range, hold, login, lockout and logout equal on both backends; the audit trails equal")
    func sameAnswers() throws {
        let parity = try PostgresParity()
        defer { parity.remove() }
        for b in parity.backends {
            let add = try PostgresParity.cli(b, ["user", "add", "comp1", "--role", "admin"], stdin: "\(Self.password)\n\(Self.password)\n")
            try Support.require(add.status == 0, add.stderr)
        }
        // Each server is stopped at the end even when the other one fails to start.
        var started: [LiveServer] = []
        defer { for s in started { _ = s.stop() } }
        for b in parity.backends { started.append(try LiveServer(b.f, flags: ["--config", b.config])) }
        let servers = started

        // Anonymous requests are refused alike; /healthz answers on both.
        for s in servers {
            #expect(try s.request("/api/calls", session: false).status == 401)
            #expect(try s.request("/healthz", session: false).text == "ok\n")
        }
        let logins = try servers.map { try $0.login("comp1", Self.password) }
        #expect(logins.map(\.status) == [303, 303])

        /// GETs `path` on both servers: the same status and (masked) body; PostgreSQL's answer.
        @discardableResult
        func same(_ path: String, headers: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> LiveServer.Answer {
            let answers = try servers.map { try $0.request(path, headers: headers) }
            // Masked too: each session's own CSRF token.
            let bodies = try zip(answers, parity.backends).map {
                try PostgresHoldRetentionTests.masked($0.text, $1.f).replacing(try Regex(#"name="csrf" value="[0-9a-f]{64}""#), with: "CSRF")
            }
            #expect(answers.map(\.status) == [answers[0].status, answers[0].status], "\(path)", sourceLocation: sourceLocation)
            #expect(answers[0].status == 200 || answers[0].status == 206, "\(path): \(answers[0].status)", sourceLocation: sourceLocation)
            #expect(bodies[0] == bodies[1], "\(path):\n--- SQLite\n\(bodies[0].prefix(2000))\n--- PostgreSQL\n\(bodies[1].prefix(2000))",
                    sourceLocation: sourceLocation)
            return answers[1]
        }

        let calls = try #require(try same("/api/calls").json as? [String: Any])
        #expect(calls["total"] as? Int == PostgresRunTests.calls.count)
        let ids = (calls["calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let id = try #require(ids.first)
        for path in ["/calls", "/calls?outcome=answered&sort=duration", "/calls?limit=2&page=2", "/calls/\(id)", "/api/calls/\(id)",
                     "/api/calls?caller=%2B12125550111", "/export/calls.csv", "/reports", "/reports/summary?by=campaign",
                     "/api/reports/summary?by=hour&tz=Asia/Kathmandu", "/api/reports/missed", "/api/reports/callers?top=3",
                     "/api/reports/area-codes", "/api/reports/hours", "/api/reports/dead-air?threshold=2", "/reports/callers",
                     "/api/reports/compare?campaign=Search-Brand&before=2026-11-19..2026-11-22&after=2026-11-23..2026-11-26",
                     "/api/reports/callbacks", "/holds", "/audit?action=login", "/users"] {
            try same(path)
        }

        // Audio: the same bytes for a range, from each backend's own archive file.
        let part = try same("/calls/\(id)/audio", headers: ["Range: bytes=0-99"])
        #expect(part.status == 206 && part.body.count == 100)

        // A hold placed over the API (cookie session + CSRF): the same calls covered, then listed
        // on the calls it covers.
        let placed = try servers.map { s in
            try s.request("POST", "/api/holds", headers: ["Content-Type: application/json", "X-CSRF-Token: \(try s.csrf())"],
                          data: #"{"name":"CASE-9","reason":"discovery","since":"2026-11-21","until":"2026-11-23"}"#)
        }
        #expect(placed.map(\.status) == [201, 201])
        #expect(placed[0].text == placed[1].text)
        #expect((placed[1].json as? [String: Any])?["calls"] as? Int == 3)
        try same("/api/holds")
        try same("/api/calls?limit=10")
        let duplicate = try servers.map { s in
            try s.request("POST", "/api/holds", headers: ["Content-Type: application/json", "X-CSRF-Token: \(try s.csrf())"],
                          data: #"{"name":"CASE-9","reason":"again","campaign":"x"}"#)
        }
        #expect(duplicate.map(\.status) == [409, 409])

        // The hold's evidence bundle over the API: a tar of the same files on both, each checking out.
        let bundles = try servers.map { s in
            try s.request("POST", "/api/evidence", headers: ["Content-Type: application/json", "X-CSRF-Token: \(try s.csrf())"],
                          data: #"{"hold":"CASE-9"}"#)
        }
        #expect(bundles.map(\.status) == [200, 200])
        var listings: [[String]] = [], sumsDigests: [String] = []
        for (n, bundle) in bundles.enumerated() {
            let folder = parity.backends[n].f.root.appendingPathComponent("evidence").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try bundle.body.write(to: URL(fileURLWithPath: folder + "/bundle.tar"))
            let untar = try Support.run("tar", ["-xf", folder + "/bundle.tar", "-C", folder])
            try Support.require(untar.status == 0, untar.stderr)
            let top = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasPrefix("evidence-") })
            let sums = try Support.run("/bin/sh", ["-c", "cd \"$1\" && sha256sum -c --quiet SHA256SUMS", "sh", folder + "/" + top])
            #expect(sums.status == 0, "\(sums.stdout)\(sums.stderr)")
            listings.append(parity.backends[n].f.files(in: folder + "/" + top))
            let digest = try Support.run("sha256sum", [folder + "/" + top + "/SHA256SUMS"])
            sumsDigests.append(String(digest.stdout.prefix(64)))
        }
        #expect(listings[0] == listings[1] && listings[1].filter { $0.hasPrefix("audio/") }.count == 3, "\(listings)")

        // Five wrong passwords lock the name on both; the right one is then refused.
        for (n, s) in servers.enumerated() {
            let jar = parity.backends[n].f.root.appendingPathComponent("other-jar").path
            for _ in 0..<5 { #expect(try s.login("comp1", "wrong-password", jar: jar).status == 401) }
            #expect(try s.login("comp1", Self.password, jar: jar).status == 429)
        }

        // Logout ends the session on both.
        let logouts = try servers.map { s in
            try s.request("POST", "/logout", headers: ["Content-Type: application/x-www-form-urlencoded"], data: "csrf=\(try s.csrf())")
        }
        #expect(logouts.map(\.status) == [303, 303])
        #expect(try servers.map { try $0.request("/api/calls").status } == [401, 401])
        #expect(servers.map { $0.stop() } == [0, 0])

        // The same audit trail: user added, logins, the play, the hold, the failures, the lock, the logout.
        // Each export's entry names its own bundle (a temporary folder, the SHA-256 of its
        // SHA256SUMS, whose manifest carries the time it was made): checked per backend, then masked.
        let raw = try parity.auditEntries()
        for (n, trail) in raw.enumerated() {
            #expect(trail.contains { $0.contains("\"evidence export\"") && $0.contains("\"sha256\":\"\(sumsDigests[n])\"") },
                    "the export entry names the bundle's SHA256SUMS")
        }
        let trails = try raw.map { trail in
            try trail.map { line in
                let path = try line.replacing(Regex(#""bundle":"[^"]*""#), with: #""bundle":"B""#)
                return line.contains("\"evidence export\"") ? try path.replacing(Regex(#""sha256":"[0-9a-f]{64}""#), with: #""sha256":"S""#) : path
            }
        }
        #expect(trails[0] == trails[1], "--- SQLite\n\(trails[0].joined(separator: "\n"))\n--- PostgreSQL\n\(trails[1].joined(separator: "\n"))")
        let actions = trails[1].joined(separator: "\n")
        for action in ["\"login\"", "\"access\"", "\"hold_added\"", "\"login_failed\"", "\"login_locked\"", "\"logout\""] {
            #expect(actions.contains("\"action\":\(action)"), "no \(action) entry")
        }
        try parity.same(["verify"])
    }
}
