import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("serve: evidence bundles for compliance")
struct EvidenceRoutesTests {
    @Test("a compliance user downloads a hold's bundle as a tar that sha256sum -c accepts, and a form's by ids; each export is audited; qa gets 403, a cookie without its CSRF token 403")
    func download() async throws {
        let f = try ServerFixture()
        let a = try f.addCall(callID: "ev-1", campaign: "Search-Brand")
        let b = try f.addCall(callID: "ev-2", campaign: "Search-Brand", startedAt: "2026-11-20T15:00:00Z")
        try f.addCall(callID: "ev-3", campaign: "Other", startedAt: "2026-11-20T16:00:00Z")
        _ = try Holds(index: f.index).add(Holds.Hold(name: "H9", reason: "case 9", placedBy: "comp1", placedAt: "2026-11-21T00:00:00Z",
                                                     campaign: "Search-Brand"))
        let dir = try Support.temporaryDirectory("evidence-tar")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await f.app.test(.router) { client in
            let comp = try await client.login("comp1")
            let qa = try await client.login("qa1")
            let json: HTTPFields = [.cookie: "cv_session=\(comp.cookie)", .contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: comp.csrf]
            let r = try await client.execute(uri: "/api/evidence", method: .post, headers: json, body: ByteBuffer(string: #"{"hold":"H9"}"#))
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/x-tar")
            #expect(r.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"evidence-") == true)
            let tar = dir.appendingPathComponent("hold.tar")
            try Data(buffer: r.body).write(to: tar)
            let out = dir.appendingPathComponent("hold").path
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let untar = try Support.run("tar", ["-xf", tar.path, "-C", out])
            #expect(untar.status == 0, "\(untar.stderr)")
            let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasPrefix("evidence-") })
            let check = try Support.run("sha256sum", ["-c", "SHA256SUMS"], directory: out + "/" + folder)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.contains("audio/\(a.id).opus: OK") && check.stdout.contains("audio/\(b.id).opus: OK"))
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + folder + "/manifest.json"))) as? [String: Any]
            #expect(manifest?["call_count"] as? Int == 2 && manifest?["created_by"] as? String == "comp1")

            let byForm = try await client.execute(uri: "/evidence", method: .post,
                                                  headers: [.cookie: "cv_session=\(comp.cookie)", .contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "csrf=\(comp.csrf)&ids=\(a.id)"))
            #expect(byForm.status == .ok && byForm.headers[.contentType] == "application/x-tar")

            let noCSRF = try await client.execute(uri: "/api/evidence", method: .post,
                                                  headers: [.cookie: "cv_session=\(comp.cookie)", .contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"hold":"H9"}"#))
            #expect(noCSRF.status == .forbidden)
            let byQA = try await client.execute(uri: "/api/evidence", method: .post,
                                                headers: [.cookie: "cv_session=\(qa.cookie)", .contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: qa.csrf],
                                                body: ByteBuffer(string: #"{"hold":"H9"}"#))
            #expect(byQA.status == .forbidden)
            #expect(try await client.execute(uri: "/evidence", method: .get, headers: qa.headers).status == .forbidden)
            let page = try await client.execute(uri: "/evidence", method: .get, headers: comp.headers)
            #expect(page.status == .ok && String(buffer: page.body).contains("H9 (2 calls)"))
            let unknown = try await client.execute(uri: "/api/evidence", method: .post, headers: json, body: ByteBuffer(string: #"{"hold":"nope"}"#))
            #expect(unknown.status == .notFound)
            let both = try await client.execute(uri: "/api/evidence", method: .post, headers: json, body: ByteBuffer(string: #"{"hold":"H9","ids":["x"]}"#))
            #expect(both.status == .badRequest)
        }
        let exports = try AuditLog(index: f.index).entries(since: nil, action: "access").filter { $0.details["kind"] == "export" }
        #expect(exports.count == 2)
        #expect(exports.allSatisfy { $0.details["by"] == "comp1" && $0.details["via"] == "serve" && $0.sha256?.count == 64 })
        #expect(exports.first.map { Set($0.ids) } == [a.id, b.id])
        #expect(exports.last?.ids == [a.id])
    }
}
