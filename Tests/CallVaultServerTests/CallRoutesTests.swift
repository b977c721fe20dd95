import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("serve: calls, audio, API")
struct CallRoutesTests {
    @Test("GET /api/calls: repeated campaign params, literal commas, limit and page, total, holds on each object")
    func apiSearch() async throws {
        let f = try ServerFixture()
        for i in 0..<7 { try f.addCall(callID: "a\(i)", campaign: "Search-Brand", startedAt: "2026-11-2\(i)T10:00:00Z") }
        try f.addCall(callID: "b1", campaign: "Radio, FM")
        try f.addCall(callID: "c1", campaign: "Other")
        _ = try Holds(index: f.index).add(.init(name: "CASE-1", reason: "r", placedBy: "t", placedAt: "2026-11-01T00:00:00Z", campaign: "Radio, FM"))
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let r = try await client.execute(uri: "/api/calls?campaign=Search-Brand&campaign=Radio%2C%20FM&limit=3&page=2", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            #expect(json["total"] as? Int == 8)
            #expect(json["page"] as? Int == 2)
            let calls = try #require(json["calls"] as? [[String: Any]])
            #expect(calls.count == 3)
            #expect(calls.allSatisfy { $0["holds"] as? [String] == [] && $0["archive_file"] is String && $0["sha256"] is String })
            // Nothing redacted: the fields are there all the same, and redacted=1 finds none of these calls.
            #expect(calls.allSatisfy { ($0["redactions"] as? [Any])?.isEmpty == true && $0["dtmf_tones_masked"] as? Int == 0 })
            let redacted = try await client.execute(uri: "/api/calls?redacted=1", method: .get, headers: s.headers)
            #expect(redacted.status == .ok)
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: redacted.body)) as? [String: Any])?["total"] as? Int == 0)
            let radio = try await client.execute(uri: "/api/calls?campaign=Radio%2C%20FM", method: .get, headers: s.headers)
            let radioCalls = try #require((try JSONSerialization.jsonObject(with: Data(buffer: radio.body)) as? [String: Any])?["calls"] as? [[String: Any]])
            #expect(radioCalls.count == 1)
            #expect(radioCalls.first?["holds"] as? [String] == ["CASE-1"])
            // SQL-looking values are values: no match, no error.
            let sql = try await client.execute(uri: "/api/calls?campaign=x%27%20OR%201%3D1%20--", method: .get, headers: s.headers)
            #expect(sql.status == .ok)
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: sql.body)) as? [String: Any])?["total"] as? Int == 0)
            #expect(try await client.execute(uri: "/api/calls?limit=0", method: .get, headers: s.headers).status == .badRequest)
            #expect(try await client.execute(uri: "/api/calls?since=yesterdayish", method: .get, headers: s.headers).status == .badRequest)
            #expect(try await client.execute(uri: "/api/calls?bogus=1", method: .get, headers: s.headers).status == .badRequest)
            let one = try await client.execute(uri: "/api/calls/\(RecordID.make(callID: "b1"))", method: .get, headers: s.headers)
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: one.body)) as? [String: Any])?["holds"] as? [String] == ["CASE-1"])
            #expect(try await client.execute(uri: "/api/calls/c0000000000000000000000000", method: .get, headers: s.headers).status == .notFound)
            // The page: total count, 50 a page, CSV and JSON downloads of the same search.
            let page = String(buffer: try await client.execute(uri: "/calls?campaign=Search-Brand", method: .get, headers: s.headers).body)
            #expect(page.contains("<span id=\"total\">7</span>"))
            let csv = String(buffer: try await client.execute(uri: "/export/calls.csv?campaign=Search-Brand", method: .get, headers: s.headers).body)
            #expect(csv.split(separator: "\n").count == 8)
            #expect(csv.hasPrefix(CallRecord.csvColumns.joined(separator: ",")))
        }
    }

    @Test("audio: 206 ranges with the archive's bytes, ETag from the SHA-256, download name, 416 past the end, 304 on a matching ETag")
    func audioRanges() async throws {
        let f = try ServerFixture()
        let bytes = (0..<70_000).map { UInt8(($0 * 7) % 256) }
        let r = try f.addCall(callID: "au1", campaign: "X", bytes: bytes)
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let whole = try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: s.headers)
            #expect(whole.status == .ok)
            #expect(Array(buffer: whole.body) == bytes)
            #expect(whole.headers[.contentType] == "audio/ogg; codecs=opus")
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.headers[.eTag] == "\"\(r.sha256)\"")
            for (range, expected, contentRange) in [("bytes=100-199", 100..<200, "bytes 100-199/70000"),
                                                    ("bytes=69990-", 69990..<70000, "bytes 69990-69999/70000"),
                                                    ("bytes=-10", 69990..<70000, "bytes 69990-69999/70000"),
                                                    ("bytes=65000-80000", 65000..<70000, "bytes 65000-69999/70000")] {
                var h = s.headers
                h[.range] = range
                let part = try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: h)
                #expect(part.status == .partialContent, "\(range)")
                #expect(part.headers[.contentRange] == contentRange)
                #expect(Array(buffer: part.body) == Array(bytes[expected]), "\(range)")
            }
            var h = s.headers
            h[.range] = "bytes=70000-"
            let past = try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: h)
            #expect(past.status == .rangeNotSatisfiable)
            #expect(past.headers[.contentRange] == "bytes */70000")
            h = s.headers
            h[.ifNoneMatch] = "\"\(r.sha256)\""
            #expect(try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: h).status == .notModified)
            let download = try await client.execute(uri: "/calls/\(r.id)/audio?download=1", method: .get, headers: s.headers)
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"\(r.exportFileName)\"")
            #expect(try await client.execute(uri: "/calls/nothex/audio", method: .get, headers: s.headers).status == .badRequest)
            #expect(try await client.execute(uri: "/calls/..%2F..%2Fetc%2Fpasswd/audio", method: .get, headers: s.headers).status == .badRequest)
        }
        // One play per session (the range requests that follow are not new plays) and one download.
        let access = try AuditLog(index: f.index).entries(since: nil, action: "access")
        #expect(access.map(\.reason) == ["play", "download"])
        #expect(access.allSatisfy { $0.ids == [r.id] && $0.details["by"] == "qa1" && $0.details["address"] != nil && $0.sha256 == r.sha256 })
    }

    @Test("a token's plays are audited once an hour; a purged call answers 410 with date and rule; an index path outside the archive is never served")
    func tokenPlaysPurgedAndTraversal() async throws {
        let f = try ServerFixture()
        let r = try f.addCall(callID: "tk1", campaign: "X")
        var purged = try f.addCall(callID: "gone1", campaign: "X")
        purged.audioPurgedAt = try #require(Timestamp.parseInstant("2026-11-25T00:00:00Z"))
        purged.retentionRule = "missed-30d"
        let purgedRecord = purged
        try await f.index.pool.write { db in try purgedRecord.update(db) }
        let evil = try f.addCall(callID: "evil1", campaign: "X", archivePath: "../../../../etc/passwd")
        let (token, digest) = Passwords.newToken()
        try Users(index: f.index).setTokenDigest(name: "qa1", digest: digest, now: Date())
        try await f.app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            for _ in 0..<3 { #expect(try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: auth).status == .ok) }
            f.advance(3601)
            #expect(try await client.execute(uri: "/calls/\(r.id)/audio", method: .get, headers: auth).status == .ok)
            let gone = try await client.execute(uri: "/calls/\(purgedRecord.id)/audio", method: .get, headers: auth)
            #expect(gone.status == .gone)
            let body = String(buffer: gone.body)
            #expect(body.contains("2026-11-25T00:00:00Z") && body.contains("missed-30d"))
            let outside = try await client.execute(uri: "/calls/\(evil.id)/audio", method: .get, headers: auth)
            #expect(outside.status == .internalServerError)
            #expect(!String(buffer: outside.body).contains("root:"))
        }
        #expect(try AuditLog(index: f.index).entries(since: nil, action: "access").count == 2)
    }

    @Test("the call page: one <audio> element on the audio route, the fields, an SVG timeline whose silences seek, the holds")
    func callPage() async throws {
        let f = try ServerFixture()
        let r = try f.addCall(callID: "page1", campaign: "Search-Brand")
        _ = try Holds(index: f.index).add(.init(name: "CASE-9", reason: "r", placedBy: "t", placedAt: "2026-11-01T00:00:00Z", callIDs: [r.id]))
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(r.id)", method: .get, headers: s.headers).body)
            #expect(page.components(separatedBy: "<audio").count == 2)
            #expect(page.contains("src=\"/calls/\(r.id)/audio\""))
            #expect(page.contains("<svg class=\"timeline\""))
            #expect(page.contains("href=\"#t=4.000\""))
            #expect(page.contains("CASE-9"))
            #expect(page.contains("Search-Brand"))
            #expect(page.contains("/assets/call.js"))
        }
    }

    @Test("holds through the API: list, place (by the signed-in user, audited), release with a reason")
    func holdsAPI() async throws {
        let f = try ServerFixture()
        try f.addCall(callID: "h1", campaign: "Legal")
        let (token, digest) = Passwords.newToken()
        try Users(index: f.index).setTokenDigest(name: "comp1", digest: digest, now: Date())
        try await f.app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let placed = try await client.execute(uri: "/api/holds", method: .post, headers: auth,
                                                  body: ByteBuffer(string: #"{"name":"CASE-7","reason":"discovery","campaign":"Legal"}"#))
            #expect(placed.status == .created)
            #expect(String(buffer: placed.body).contains("\"calls\":1"))
            let dup = try await client.execute(uri: "/api/holds", method: .post, headers: auth,
                                               body: ByteBuffer(string: #"{"name":"CASE-7","reason":"again","campaign":"Legal"}"#))
            #expect(dup.status == .conflict)
            let none = try await client.execute(uri: "/api/holds", method: .post, headers: auth, body: ByteBuffer(string: #"{"name":"N","reason":"r"}"#))
            #expect(none.status == .badRequest)
            let list = String(buffer: try await client.execute(uri: "/api/holds", method: .get, headers: auth).body)
            #expect(list.contains("CASE-7") && list.contains("\"placed_by\":\"comp1\""))
            #expect(try await client.execute(uri: "/api/holds/CASE-7", method: .delete, headers: auth).status == .badRequest)
            let released = try await client.execute(uri: "/api/holds/CASE-7?reason=settled", method: .delete, headers: auth)
            #expect(released.status == .ok)
            #expect(try await client.execute(uri: "/api/holds/CASE-7?reason=again", method: .delete, headers: auth).status == .notFound)
            let audit = String(buffer: try await client.execute(uri: "/api/audit?action=hold_added", method: .get, headers: auth).body)
            #expect(audit.contains("CASE-7"))
        }
    }

    @Test("/healthz is public; /metrics needs a principal and counts audited plays")
    func healthAndMetrics() async throws {
        let f = try ServerFixture()
        try await f.app.test(.router) { client in
            #expect(String(buffer: try await client.execute(uri: "/healthz", method: .get).body) == "ok\n")
            let s = try await client.login("qa1")
            let m = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: s.headers).body)
            #expect(m.contains("callvault_index_calls 0"))
            #expect(m.contains("callvault_serve_requests_total{status=\"200\"}"))
        }
    }
}
