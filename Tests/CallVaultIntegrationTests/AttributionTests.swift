import Foundation
import Testing

/// An index built by `callvault run` on real audio: calls on three tracking numbers, one reassigned.
private func buildIndex() throws -> SpoolFixture {
    let f = try SpoolFixture(name: "attribution")
    let calls: [(String, String, String, String, String)] = [
        // stem, fixture, tracking number, started_at, caller
        ("a1", "speech.wav", "(415) 555-0100", "2026-11-20T14:00:00Z", "(212) 555-0187"),
        ("a2", "speech-gsm.wav", "415.555.0100", "2026-11-21T09:00:00Z", "212.555.0187"),
        ("b1", "dual-agent-silent.wav", "+1 415 555 0101", "2026-11-22T10:00:00Z", "+44 20 7946 0958"),
        ("c1", "speech.flac", "4155550102", "2026-11-24T23:59:59Z", "617-555-0199"),
        ("c2", "speech.ulaw", "14155550102", "2026-11-25T00:00:00Z", "anonymous"),
        ("c3", "truncated.wav", "+14155550102", "2026-11-26T12:00:00Z", "(646) 555-0170"),
        ("u1", "speech.mp3", "+14155559999", "2026-11-27T12:00:00Z", "(646) 555-0170"),
    ]
    try f.archive(calls)
    return f
}

private let registry = """
tracking_number,campaign,source,medium,valid_from,valid_to
(415) 555-0100,Search-Brand,google,cpc,2026-01-01,
+1 415 555 0101,Radio-KFOG,kfog,radio,,
415-555-0102,Radio-KFOG,kfog,radio,2026-06-01,2026-11-25
415-555-0102,Mailer-November,usps,print,2026-11-25,

"""

private func query(_ f: SpoolFixture, _ args: [String]) throws -> [[String: Any]] {
    let r = try Support.callvault(["query", "--db", f.database, "--archive", f.archive, "--format", "json", "--limit", "0"] + args)
    try Support.require(r.status == 0, r.stderr)
    return try Support.jsonArray(r.stdout)
}

@Suite("Attribution, query and export on an index built by callvault run", .serialized)
struct AttributionTests {
    @Test("a registry imported after the calls attributes them; reassignment splits at valid_to; re-import changes nothing")
    func lateImportAndReassignment() throws {
        let f = try buildIndex()
        defer { f.remove() }
        #expect(try f.sql("SELECT count(*) FROM calls WHERE campaign IS NOT NULL") == [["0"]])
        let csv = f.root.appendingPathComponent("registry.csv").path
        try registry.write(toFile: csv, atomically: true, encoding: .utf8)
        let first = try Support.callvault(["numbers", "import", csv, "--db", f.database])
        #expect(first.status == 0)
        #expect(first.stdout.contains("6 calls re-linked"), "\(first.stdout)")
        let again = try Support.callvault(["numbers", "import", csv, "--db", f.database])
        #expect(again.stdout.contains("registry unchanged"))
        let rows = try f.sql("SELECT call_id, campaign, source, medium FROM calls ORDER BY call_id")
        #expect(rows == [["a1", "Search-Brand", "google", "cpc"], ["a2", "Search-Brand", "google", "cpc"],
                         ["b1", "Radio-KFOG", "kfog", "radio"], ["c1", "Radio-KFOG", "kfog", "radio"],
                         ["c2", "Mailer-November", "usps", "print"], ["c3", "Mailer-November", "usps", "print"],
                         ["u1", "", "", ""]])
        let unassigned = try Support.callvault(["numbers", "unassigned", "--db", f.database, "--format", "csv"])
        #expect(unassigned.stdout == "tracking_number,calls,first_call,last_call\n+14155559999,1,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z\n")
        // A call arriving after the import is linked at ingest.
        try f.add(stem: "a3", fixture: "speech.wav", sidecar: SpoolFixture.sidecar("+14155550100", at: "2026-11-28T08:00:00Z", callID: "a3"))
        #expect(try f.run().status == 0)
        #expect(try f.sql("SELECT campaign FROM calls WHERE call_id = 'a3'") == [["Search-Brand"]])
    }

    @Test("a bad registry is refused whole, with file, line and field")
    func badRegistryNothingApplied() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let csv = f.root.appendingPathComponent("bad.csv").path
        try (registry + "415-555-0102,Overlap,x,y,2026-11-20,2026-12-01\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Support.callvault(["numbers", "import", csv, "--db", f.database])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.csv:6:") && r.stderr.contains("overlaps"), "\(r.stderr)")
        #expect(try f.sql("SELECT count(*) FROM registry") == [["0"]])
    }

    @Test("every filter agrees with a direct SQL count over the index")
    func filters() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let csv = f.root.appendingPathComponent("registry.csv").path
        try registry.write(toFile: csv, atomically: true, encoding: .utf8)
        try Support.callvault(["numbers", "import", csv, "--db", f.database])
        func ids(_ args: [String]) throws -> Set<String> { Set(try query(f, args).map { try Support.field($0, "call_id", as: String.self) }) }
        func sqlIDs(_ condition: String) throws -> Set<String> { Set(try f.sql("SELECT call_id FROM calls WHERE \(condition)").map { $0[0] }) }

        #expect(try ids(["--campaign", "Radio-KFOG"]) == sqlIDs("campaign = 'Radio-KFOG'"))
        #expect(try ids(["--campaign", "Radio-KFOG", "--campaign", "Mailer-November"]) == sqlIDs("campaign IN ('Radio-KFOG', 'Mailer-November')"))
        #expect(try ids(["--source", "google"]) == ["a1", "a2"])
        #expect(try ids(["--tracking-number", "(415) 555-0102"]) == ["c1", "c2", "c3"])
        #expect(try ids(["--caller", "646.555.0170"]) == ["c3", "u1"])
        #expect(try ids(["--outcome", "abandoned"]) == sqlIDs("outcome = 'abandoned'"))
        #expect(try ids(["--outcome", "answered"]) == sqlIDs("outcome = 'answered'"))
        #expect(try ids(["--since", "2026-11-25", "--until", "2026-11-26"]) == ["c2", "c3"])
        #expect(try ids(["--since", "2026-11-25T00:00:00Z", "--until", "2026-11-26T12:00:00Z"]) == ["c2"])
        #expect(try ids(["--since", "2026-11-24", "--until", "2026-11-24", "--tz", "America/Los_Angeles"]) == ["c1", "c2"])
        #expect(try ids(["--min-duration", "20"]) == sqlIDs("duration_ms >= 20000"))
        #expect(try ids(["--unassigned"]) == ["u1"])
        #expect(try ids(["--campaign", "Mailer-November", "--min-duration", "10"]) == ["c2"])

        let newest = try query(f, []).map { try Support.field($0, "call_id", as: String.self) }
        #expect(newest.first == "u1" && newest.last == "a1")
        let longest = try query(f, ["--sort", "duration"]).map { try Support.field($0, "duration_ms", as: Int.self) }
        #expect(longest == longest.sorted(by: >))

        let limited = try Support.callvault(["query", "--db", f.database, "--limit", "2", "--format", "json"])
        #expect((try #require(try Support.json(limited.stdout) as? [Any])).count == 2)
        #expect(limited.stderr.contains("showing 2 of 7 calls"))

        let record = try query(f, ["--caller", "+44 20 7946 0958"])[0]
        for key in ["campaign", "source", "medium", "caller_area_code", "caller_region", "caller_place", "caller_country", "archive_file"] {
            #expect(record.keys.contains(key), "query json lacks \(key)")
        }
        #expect(record["caller_country"] as? String == "GB")
        let ny = try query(f, ["--caller", "646 555 0170"])[0]
        #expect(ny["caller_area_code"] as? String == "646" && ny["caller_region"] as? String == "New York")

        let csvOut = try Support.callvault(["query", "--db", f.database, "--format", "csv", "--limit", "0"]).stdout
        #expect(csvOut.split(separator: "\n").count == 8)
        #expect(csvOut.hasPrefix("id,call_id,started_at,campaign"))
    }

    @Test("export copies Opus files under readable names, verified")
    func export() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let out = f.root.appendingPathComponent("qa").path
        let r = try Support.callvault(["export", "a1", "c3", "--db", f.database, "--archive", f.archive, "--to", out])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names.count == 2)
        #expect(names[0].hasPrefix("2026-11-20_1400_unassigned_+12125550187_c") && names[0].hasSuffix(".opus"), "\(names)")
        #expect(try Support.opusinfoLength(out + "/" + names[0]).seconds > 20)
    }
}
