import CallVaultTestSupport
import Foundation
import Testing

/// `callvault directory` and `query --caller-name` on a PostgreSQL index (issue 20): the same
/// caller directory, listings, lookups and audit entries as on SQLite, joined to the same calls.
@Suite("directory on PostgreSQL", .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresDirectoryTests {
    @Test("directory import, list and lookup, show's caller_directory and query --caller-name (any ASCII case) give the same output on SQLite and PostgreSQL; a bad file is refused alike and changes nothing")
    func sameDirectoryOnBothBackends() throws {
        let p = try PostgresParity(sidecarExtra: { n in n == 3 ? ["caller_name": "ACME Front Desk"] : [:] })
        defer { p.remove() }
        // One file, one path, for both: the import's message and audit entry name it.
        let csv = p.sqlite.root.appendingPathComponent("directory.csv").path
        try """
            number,name,company,address,city,region,postal_code,country,customer_id,email
            (212) 555-0110,Dana Whitfield,Acme Corp,"350 Fifth Avenue, Floor 2",New York,NY,10118,US,C-1001,dana@acme.example
            +1 212 555 0112,Zoë Ärger,,,Zürich,,,CH,,
            212-555-0199,Nobody Called,Unused Ltd,,,,,,,

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        for format in ["table", "json", "csv"] { try p.same(["directory", "list", "--format", format]) }
        #expect(try p.same(["directory", "import", csv]) == "\(csv): 3 entries (3 new, 0 changed, 0 removed)\n")
        #expect(try p.same(["directory", "import", csv]) == "\(csv): 3 entries, directory unchanged\n")
        for format in ["table", "json", "csv"] {
            try p.same(["directory", "list", "--format", format])
            try p.same(["directory", "lookup", "(212) 555-0110", "--format", format])
        }
        #expect(try p.db.rows("SELECT number, name, city FROM caller_directory ORDER BY number")
                == [["+12125550110", "Dana Whitfield", "New York"], ["+12125550112", "Zoë Ärger", "Zürich"], ["+12125550199", "Nobody Called", ""]])

        // An unknown number: exit 2 on both, naming each index (the only difference, masked).
        let misses = try p.backends.map { b in try PostgresParity.cli(b, ["directory", "lookup", "212 555 0111"]) }
        #expect(misses.map(\.status) == [2, 2], "\(misses)")
        #expect(misses[0].stderr.contains("+12125550111 is not in the caller directory of \(p.sqlite.root.path)/index.sqlite"), "\(misses[0].stderr)")
        #expect(misses[1].stderr.contains("+12125550111 is not in the caller directory of postgres://"), "\(misses[1].stderr)")

        // Calls read with the directory joined: show, query's JSON, and the caller-name filter
        // (the directory's name or the switch's caller_name, any ASCII case; "ë" is not "Ë").
        #expect(try p.same(["show", "p0"]).contains("Dana Whitfield"))
        try p.same(["show", "p1"])
        try p.same(["query", "--format", "json", "--limit", "0"])
        for name in ["dana", "ACME", "zoë", "%", "nobody"] {
            for format in ["table", "json"] { try p.same(["query", "--caller-name", name, "--format", format]) }
        }
        let acme = try Support.jsonArray(try p.same(["query", "--caller-name", "acme", "--format", "json"]))
        #expect(acme.compactMap { $0["call_id"] as? String } == ["p3"], "the switch's caller_name; Acme Corp is p0's company, not its name")
        let dana = try Support.jsonArray(try p.same(["query", "--caller-name", "DANA", "--format", "json"]))
        #expect(dana.compactMap { $0["call_id"] as? String } == ["p0"], "the directory's name")
        #expect(try Support.jsonArray(try p.same(["query", "--caller-name", "ZOË", "--format", "json"])).isEmpty, "non-ASCII letters match their own case only")

        // A new file replaces the directory whole; a bad one is refused at its line, and nothing of it applied.
        try """
            number,name
            (212) 555-0110,Dana W. Whitfield
            (212) 555-0113,Sam Lee

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try p.same(["directory", "import", csv]) == "\(csv): 2 entries (1 new, 1 changed, 2 removed)\n")
        try "number,nmae\n(212) 555-0110,Dana\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try p.same(["directory", "import", csv], status: 2)
        for format in ["table", "json"] { try p.same(["directory", "list", "--format", format]) }
        try p.same(["query", "--caller-name", "sam", "--format", "json"])

        let audits = try p.auditEntries()
        #expect(audits[0] == audits[1], "\(audits)")
        #expect(try p.db.rows("SELECT details::jsonb ->> 'rows' FROM audit WHERE action = 'directory_imported' ORDER BY seq") == [["3"], ["2"]])
    }
}
