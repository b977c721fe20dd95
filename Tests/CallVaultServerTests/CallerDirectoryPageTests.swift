import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The calls search by caller name (page and API, as `query --caller-name`), and the call page's
/// caller directory entry and attribution.
@Suite("serve: caller names, the directory entry and the attribution on the call page")
struct CallerDirectoryPageTests {
    @Test("caller_name filters the calls page and /api/calls like query --caller-name; the form has the field")
    func callerName() async throws {
        let f = try ServerFixture()
        let ada = try f.addCall(callID: "name1", campaign: "Search", caller: "+12125550187")
        _ = try f.addCall(callID: "name2", campaign: "Search", caller: "+16465550170", startedAt: "2026-11-20T15:00:00Z")
        _ = try CallerDirectory(index: f.index).replace(
            with: [CallerDirectoryEntry(number: "+12125550187", name: "Ada Lovelace", company: "Analytical Engines Ltd",
                                        address: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH", country: "GB")],
            file: "d.csv", fingerprint: "a", now: Date())
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let api = try await client.execute(uri: "/api/calls?caller_name=LOVELACE", method: .get, headers: s.headers)
            #expect(api.status == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
            let calls = try #require(body["calls"] as? [[String: Any]])
            #expect(calls.map { $0["id"] as? String } == [ada.id] && body["total"] as? Int == 1)
            var query = CallQuery()
            query.callerName = "LOVELACE"
            #expect(try query.run(f.index).records.map(\.id) == [ada.id], "the same calls as query --caller-name")

            let page = String(buffer: try await client.execute(uri: "/calls?caller_name=lovelace", method: .get, headers: s.headers).body)
            #expect(page.contains("<input name=\"caller_name\" value=\"lovelace\">"))
            #expect(page.contains("<span id=\"total\">1</span>"))
        }
    }

    @Test("the call page shows the caller's directory entry and the call's attribution")
    func callPage() async throws {
        let f = try ServerFixture()
        var r = try f.addCall(callID: "dir1", campaign: "winter")
        r.callAttribution = CallAttribution(method: .poolSession, sessionID: "s-b", utmSource: "bing", utmMedium: "cpc", keyword: "boiler repair",
                                            landingPage: "/repairs")
        let record = r
        try await f.index.pool.write { db in try record.update(db) }
        _ = try CallerDirectory(index: f.index).replace(
            with: [CallerDirectoryEntry(number: "+12125550187", name: "Ada Lovelace", company: "Analytical Engines Ltd",
                                        address: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH", country: "GB",
                                        customerID: "C-1001", email: "ada@example.com")],
            file: "d.csv", fingerprint: "a", now: Date())
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            let page = String(buffer: try await client.execute(uri: "/calls/\(record.id)", method: .get, headers: s.headers).body)
            #expect(page.contains("<span id=\"caller-directory\">Ada Lovelace — Analytical Engines Ltd — 12 St James&#39;s Square, London, SW1Y 4JH, GB — customer C-1001 — ada@example.com</span>"),
                    "\(page)")
            #expect(page.contains("<span id=\"attribution\">pool session · session_id s-b · utm_source bing · utm_medium cpc · keyword boiler repair · landing_page /repairs</span>"))
            let api = try await client.execute(uri: "/api/calls/\(record.id)", method: .get, headers: s.headers)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
            let attribution = try #require(json["attribution"] as? [String: Any])
            #expect(attribution["method"] as? String == "pool-session" && attribution["keyword"] as? String == "boiler repair")
        }
    }
}
