import CallVaultCore
import CallVaultServer
import CallVaultStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /api/calls` writes its JSON directly; its bytes must stay those `JSONEncoder` (sorted keys,
/// unescaped slashes) gave for `{"calls": [the query --format json objects], "page", "total"}`.
@Suite("serve: /api/calls written directly, byte for byte the encoder's")
struct APISearchJSONTests {
    /// The answer as it was encoded before: an Encodable of the query's outputs.
    struct EncodedAnswer: Encodable {
        let calls: [CallRecord.Output]
        let total: Int
        let page: Int
    }

    @Test("a page with a held call, a masked and redacted call, a caller in the directory, an anonymous caller and a purged call")
    func sameBytesAsTheEncoder() async throws {
        let f = try ServerFixture()
        for i in 0..<4 { try f.addCall(callID: "p\(i)", campaign: "Search-Brand", startedAt: "2026-11-2\(i)T10:00:00Z") }
        var masked = try f.addCall(callID: "masked", campaign: "Search-Brand", startedAt: "2026-11-25T10:00:00Z")
        masked.redactions = [Redaction(startMs: 1200, endMs: 1500, channel: 0, reason: Redaction.dtmf),
                             Redaction(startMs: 5000, endMs: 7000, channel: nil, reason: Redaction.requested)]
        masked.dtmfTonesMasked = 1
        masked.redactedFields = ["metadata.note"]
        masked.metadata = ["note": "[redacted-pan]", "queue": "sales/east"]
        masked.callerName = "Ann \"Nan\" Lee"
        var anonymous = try f.addCall(callID: "anon", campaign: "Search-Brand", startedAt: "2026-11-26T10:00:00Z")
        anonymous.caller = nil
        anonymous.callerRaw = nil
        anonymous.callerValid = nil
        var purged = try f.addCall(callID: "purged", campaign: "Search-Brand", startedAt: "2026-11-27T10:00:00Z")
        purged.audioPurgedAt = try #require(IndexTime.date("2026-12-01T00:00:00Z"))
        purged.retentionRule = "short"
        let changed = [masked, anonymous, purged]
        try await f.index.pool.write { db in for r in changed { try r.update(db) } }
        _ = try Holds(index: f.index).add(.init(name: "CASE-7", reason: "r", placedBy: "t", placedAt: "2026-11-01T00:00:00Z",
                                                callIDs: [masked.id]))
        _ = try CallerDirectory(index: f.index).replace(with: [CallerDirectoryEntry(number: "+12125550187", name: "Ann Lee", city: "New York")],
                                                        file: "d.csv", fingerprint: "f1", now: Date())
        try await f.app.test(.router) { client in
            let s = try await client.login("qa1")
            for (uri, query) in [("/api/calls?campaign=Search-Brand", Self.query(limit: 50, offset: 0)),
                                 ("/api/calls?campaign=Search-Brand&limit=3&page=2", Self.query(limit: 3, offset: 3))] {
                let r = try await client.execute(uri: uri, method: .get, headers: s.headers)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json; charset=utf-8")
                let result = try query.run(f.index)
                let holds = try Holds(index: f.index).names(covering: result.records.map(\.id))
                let directory = try CallerDirectory(index: f.index).entries(for: result.records.compactMap(\.caller))
                let outputs = result.records.map { $0.output(archiveRoot: f.archive, holds: holds[$0.id] ?? [],
                                                             directory: $0.caller.flatMap { directory[$0] }) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let expected = try encoder.encode(EncodedAnswer(calls: outputs, total: result.total, page: query.offset / max(query.limit, 1) + 1))
                #expect(Data(buffer: r.body) == expected, "\(uri)")
                // What the comparison covers: 7 calls, the held one, the masked one, the anonymous, the purged.
                let text = String(buffer: r.body)
                if query.limit == 50 {
                    #expect(text.hasPrefix("{\"calls\":[{") && text.hasSuffix("],\"page\":1,\"total\":7}"))
                    #expect(text.contains(#""holds":["CASE-7"]"#) && text.contains(#""dtmf_tones_masked":1,"#))
                    #expect(text.contains(#""caller_directory":{"address":null,"city":"New York","#) && text.contains(#""caller":null,"#))
                    #expect(text.contains(#""archive_file":null,"#) && text.contains(#""queue":"sales/east""#))
                } else {
                    #expect(text.hasSuffix("],\"page\":2,\"total\":7}") && outputs.count == 3)
                }
            }
        }
    }

    static func query(limit: Int, offset: Int) -> CallQuery {
        var q = CallQuery()
        q.campaigns = ["Search-Brand"]
        q.limit = limit
        q.offset = offset
        return q
    }
}
