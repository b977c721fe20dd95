import Foundation
import Testing

/// An index built by `callvault run` on real speech: two repeat callers (one written in E.164 by
/// the switch, one nationally), a caller the switch named, an anonymous call.
private func buildIndex() throws -> SpoolFixture {
    let f = try SpoolFixture(name: "caller-directory")
    let calls: [(stem: String, fixture: String, time: String, caller: String, name: String?)] = [
        ("d1", "speech.wav", "2026-11-20T14:00:00Z", "(212) 555-0187", nil),
        ("d2", "speech-gsm.wav", "2026-11-21T09:00:00Z", "212.555.0187", nil),
        ("d3", "speech.flac", "2026-11-22T10:00:00Z", "+16465550170", "Grace Hopper"),
        ("d4", "speech.ulaw", "2026-11-23T11:00:00Z", "+1 646 555 0170", nil),
        ("d5", "speech.mp3", "2026-11-24T12:00:00Z", "anonymous", nil),
    ]
    for c in calls {
        var extra: [String: Any] = ["caller": c.caller]
        if let name = c.name { extra["caller_name"] = name }
        try f.add(stem: c.stem, fixture: c.fixture, sidecar: SpoolFixture.sidecar("+14155550100", at: c.time, callID: c.stem, extra: extra))
    }
    let r = try f.run()
    try Support.require(r.status == 0, r.stderr)
    return f
}

/// National notation for both numbers; the second row's address holds a quoted comma.
private let directory = """
number,name,company,address,city,region,postal_code,country,customer_id,email
212-555-0187,Ada Lovelace,Analytical Engines Ltd,12 St James's Square,London,,SW1Y 4JH,GB,C-1001,ada@example.com
(646) 555-0170,Navy Yard Office,,"1 Navy Yard, Building 7",Washington,DC,20374,US,C-1002,

"""

private func write(_ text: String, _ name: String, in f: SpoolFixture) throws -> String {
    let path = f.root.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

private func importDirectory(_ f: SpoolFixture) throws -> String {
    let csv = try write(directory, "directory.csv", in: f)
    let r = try Support.callvault(["directory", "import", csv, "--db", f.database])
    try Support.require(r.status == 0, r.stderr)
    return csv
}

private func query(_ f: SpoolFixture, _ args: [String]) throws -> [[String: Any]] {
    let r = try Support.callvault(["query", "--db", f.database, "--archive", f.archive, "--format", "json", "--limit", "0"] + args)
    try Support.require(r.status == 0, r.stderr)
    return try Support.jsonArray(r.stdout)
}

@Suite("Caller directory: import, lookup, show/query fields, --caller-name, callers report", .serialized)
struct CallerDirectoryTests {
    @Test("import normalises national numbers, re-import changes nothing, lookup finds by any notation")
    func importAndLookup() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let csv = try importDirectory(f)
        #expect(try f.sql("SELECT number, name, address FROM caller_directory ORDER BY number")
                == [["+12125550187", "Ada Lovelace", "12 St James's Square"], ["+16465550170", "Navy Yard Office", "1 Navy Yard, Building 7"]])
        #expect(try f.sql("SELECT count(*) FROM audit WHERE action = 'directory_imported'") == [["1"]])

        let again = try Support.callvault(["directory", "import", csv, "--db", f.database])
        #expect(again.status == 0 && again.stdout.contains("directory unchanged"), "\(again.stdout)")
        // The same rows from another file (reordered): still nothing changes, no audit entry.
        let lines = directory.split(separator: "\n")
        let reordered = try write([lines[0], lines[2], lines[1]].joined(separator: "\n") + "\n", "reordered.csv", in: f)
        let same = try Support.callvault(["directory", "import", reordered, "--db", f.database])
        #expect(same.status == 0 && same.stdout.contains("directory unchanged"), "\(same.stdout)")
        #expect(try f.sql("SELECT count(*) FROM audit WHERE action = 'directory_imported'") == [["1"]])

        let found = try Support.callvault(["directory", "lookup", "+1 212 555 0187", "--db", f.database, "--format", "json"])
        #expect(found.status == 0, "\(found.stderr)")
        let entry = try #require(try Support.json(found.stdout) as? [String: Any])
        #expect(entry["name"] as? String == "Ada Lovelace" && entry["postal_code"] as? String == "SW1Y 4JH")
        #expect(entry["region"] is NSNull)
        let missing = try Support.callvault(["directory", "lookup", "(415) 555-0199", "--db", f.database])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("+14155550199 is not in the caller directory"), "\(missing.stderr)")

        let listed = try Support.callvault(["directory", "list", "--db", f.database, "--format", "csv"])
        #expect(listed.stdout.hasPrefix("number,name,company,address,city,region,postal_code,country,customer_id,email\n+12125550187,Ada Lovelace,"))
        #expect(listed.stdout.contains("\"1 Navy Yard, Building 7\""))
    }

    @Test("a bad directory is refused whole with FILE:LINE: field, and the old one stays")
    func badFileNothingApplied() throws {
        let f = try buildIndex()
        defer { f.remove() }
        _ = try importDirectory(f)
        let cases: [(String, String)] = [
            (directory + "not a number,Someone,,,,,,,,\n",
             "bad.csv:4: number: \"not a number\" is not a phone number"),
            (directory + "+12125550187,Twice,,,,,,,,\n", "bad.csv:4: number: +12125550187 is already on line 2 (one row per number)"),
            ("number,name,adress\n2125550187,A,B\n", "bad.csv:1: the column \"adress\" is not one of number,name,company,address,city,region,postal_code,country,customer_id,email"),
            ("name,city\nA,B\n", "bad.csv:1: the header lacks the column number"),
            ("number,name\n2125550187,A,extra\n", "bad.csv:2: 3 fields, the header has 2"),
            ("number,email\n2125550187,nobody\n", "bad.csv:2: email: \"nobody\" is not an email address"),
        ]
        for (text, problem) in cases {
            let csv = try write(text, "bad.csv", in: f)
            let r = try Support.callvault(["directory", "import", csv, "--db", f.database])
            #expect(r.status == 2)
            #expect(r.stderr.contains(problem), "\(r.stderr)")
        }
        #expect(try f.sql("SELECT count(*) FROM caller_directory") == [["2"]])
    }

    @Test("show and query --format json carry caller_directory: the entry, or null")
    func showAndQueryFields() throws {
        let f = try buildIndex()
        defer { f.remove() }
        let before = try query(f, [])
        #expect(before.count == 5 && before.allSatisfy { $0["caller_directory"] is NSNull })
        _ = try importDirectory(f)
        let byID = Dictionary(uniqueKeysWithValues: try query(f, []).map { (try Support.field($0, "call_id", as: String.self), $0) })
        // d3 and d4: the switch wrote +16465550170, the directory (646) 555-0170.
        for id in ["d3", "d4"] {
            let d = try #require(byID[id]?["caller_directory"] as? [String: Any])
            #expect(d["number"] as? String == "+16465550170" && d["name"] as? String == "Navy Yard Office" && d["city"] as? String == "Washington")
            #expect(Set(d.keys) == ["number", "name", "company", "address", "city", "region", "postal_code", "country", "customer_id", "email"])
            #expect(d["company"] is NSNull && d["email"] is NSNull)
        }
        #expect((byID["d1"]?["caller_directory"] as? [String: Any])?["customer_id"] as? String == "C-1001")
        #expect(byID["d5"]?["caller_directory"] is NSNull)

        let id = try #require(try f.sql("SELECT id FROM calls WHERE call_id = 'd2'").first?.first)
        let shown = try Support.callvault(["show", id, "--db", f.database, "--archive", f.archive])
        #expect(shown.status == 0, "\(shown.stderr)")
        let record = try #require(try Support.json(shown.stdout) as? [String: Any])
        let d = try #require(record["caller_directory"] as? [String: Any])
        #expect(d["name"] as? String == "Ada Lovelace" && d["address"] as? String == "12 St James's Square" && d["email"] as? String == "ada@example.com")
    }

    @Test("--caller-name matches the directory name or the switch's caller_name, any case; % and _ are literal")
    func callerName() throws {
        let f = try buildIndex()
        defer { f.remove() }
        func ids(_ text: String) throws -> Set<String> {
            Set(try query(f, ["--caller-name", text]).map { try Support.field($0, "call_id", as: String.self) })
        }
        #expect(try ids("hopper") == ["d3"])  // the sidecar only, before any directory
        #expect(try ids("navy") == [])
        _ = try importDirectory(f)
        #expect(try ids("HOPPER") == ["d3"])
        #expect(try ids("navy yard") == ["d3", "d4"])
        #expect(try ids("ace") == ["d1", "d2", "d3"])  // Lovelace in the directory, Grace on the sidecar
        #expect(try ids("%") == [])
        #expect(try ids("_") == [])
        #expect(try ids("Lovelace") == Set(try f.sql("""
            SELECT call_id FROM calls WHERE caller IN (SELECT number FROM caller_directory WHERE name LIKE '%lovelace%')
            """).map { $0[0] }))
        let empty = try Support.callvault(["query", "--db", f.database, "--caller-name", " "])
        #expect(empty.status == 2)
    }

    @Test("report callers puts names and addresses beside repeat callers in every format, scanned or aggregated",
          arguments: [[], ["--exact-scan"]])
    func callersReport(extra: [String]) throws {
        let f = try buildIndex()
        defer { f.remove() }
        _ = try importDirectory(f)
        func report(_ format: String) throws -> String {
            let r = try Support.callvault(["report", "callers", "--db", f.database, "--format", format] + extra)
            try Support.require(r.status == 0, r.stderr)
            return r.stdout
        }
        let csv = try report("csv")
        #expect(csv.contains("caller,calls,answered,first_call,last_call,campaigns,name,company,address,city,region,postal_code,country\n"), "\(csv)")
        #expect(csv.contains("+12125550187,2,"), "\(csv)")
        #expect(csv.contains(",Ada Lovelace,Analytical Engines Ltd,12 St James's Square,London,,SW1Y 4JH,GB\n"), "\(csv)")
        #expect(csv.contains(",Navy Yard Office,,\"1 Navy Yard, Building 7\",Washington,DC,20374,US"), "\(csv)")

        let tables = try #require(try Support.json(try report("json")) as? [[String: Any]])
        let top = try #require(tables.last?["rows"] as? [[String: Any]])
        #expect(top.count == 2)
        let ada = try #require(top.first { $0["caller"] as? String == "+12125550187" })
        #expect(ada["name"] as? String == "Ada Lovelace" && ada["city"] as? String == "London" && ada["region"] is NSNull)
        #expect("\(ada["calls"] ?? "")" == (try f.sql("SELECT count(*) FROM calls WHERE caller = '+12125550187'"))[0][0])

        #expect(try report("table").contains("Navy Yard Office"))
        let html = try report("html")
        #expect(html.contains("Ada Lovelace") && html.contains("SW1Y 4JH"))
    }
}
