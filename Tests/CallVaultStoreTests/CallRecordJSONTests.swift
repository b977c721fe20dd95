import CallVaultCore
import CallVaultStore
import Foundation
import GRDB
import Testing

/// `CallRecord.Output.writeJSON(into:)` (the web API's search) against the encoder it replaces:
/// the same bytes as `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`, on records read
/// back from a real index, with every field set and with every optional field empty.
@Suite("The record's JSON written directly equals JSONEncoder's")
struct CallRecordJSONTests {
    static func encoded(_ output: CallRecord.Output) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }

    static func written(_ output: CallRecord.Output) throws -> String {
        var json = JSONBytes()
        try output.writeJSON(into: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Every field set, with text that needs escaping (quotes, a backslash, control characters, a
    /// slash, non-ASCII) and map keys whose byte order differs from a case-insensitive order.
    static func full() throws -> CallRecord {
        var r = try StoreFixture.record(callID: "full-1")
        r.callerName = "Zoë \"Z\" O'Neil\\\n\t/\u{1}\u{1f}"
        r.channels = 2
        r.channelRoles = ["caller", "agent"]
        r.channelActivity = [AudioAnalysis.Channel(index: 0, role: "caller", activity: [Interval(startMs: 0, endMs: 1500)]),
                             AudioAnalysis.Channel(index: 1, role: nil, activity: [])]
        r.silences = [Interval(startMs: 1500, endMs: 4000), Interval(startMs: 9000, endMs: 12000)]
        r.disposition = "ANSWERED"
        r.switchDurationMs = 30_500
        r.metadata = ["queue": "sales", "Agent": "A/7", "agent_id": "7", "é": "accent", "a b": "space", "": "empty key"]
        r.extra = ["vendor": .object(["pan": .string("[redacted-pan]"), "Score": .double(0.25), "n": .int(-3),
                                      "ok": .bool(true), "none": .null, "list": .array([.int(1), .double(2.5), .string("x")])]),
                   "big": .double(1e21), "small": .double(1e-7)]
        r.warnings = ["first warning", "a \"quoted\" one"]
        r.campaign = "Search-Brand"
        r.source = "google"
        r.medium = "cpc"
        r.registryID = 42
        r.callerAreaCode = "212"
        r.callerRegion = "NY"
        r.callerPlace = "New York"
        r.callerCountry = "US"
        r.retainAudioUntil = try #require(IndexTime.date("2027-11-20T14:00:00Z"))
        r.retainRecordUntil = IndexTime.never
        r.retentionRule = "default"
        r.direction = .outbound
        r.callee = "+14155550123"
        r.callbackRequestID = "req-9"
        r.callAttribution = CallAttribution(method: .poolSession, sessionID: "s-1", utmSource: "google", utmTerm: "plumber",
                                            keyword: "emergency plumber", landingPage: "/boilers?x=1&y=2")
        r.redactions = [Redaction(startMs: 2000, endMs: 4000, channel: nil, reason: Redaction.requested),
                        Redaction(startMs: 8120, endMs: 8420, channel: 0, reason: Redaction.dtmf)]
        r.dtmfTonesMasked = 1
        r.redactedFields = ["metadata.note", "vendor.pan"]
        return r
    }

    /// Every optional field empty: nulls where the object always has the key.
    static func bare() throws -> CallRecord {
        var r = try StoreFixture.record(callID: "bare-1", caller: nil)
        r.channelRoles = nil
        r.channelActivity = nil
        r.callAttribution = .none
        return r
    }

    @Test("records read back from the index: full and bare, with and without holds and a directory entry, purged or not")
    func sameBytes() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var purged = try Self.full()
        purged.id = RecordID.make(callID: "purged-1")
        purged.callID = "purged-1"
        purged.archivePath = "2026/11/20/\(purged.id).opus"
        purged.audioPurgedAt = try #require(IndexTime.date("2026-12-01T00:00:00Z"))
        let written = [try Self.full(), try Self.bare(), purged]
        try f.index.pool.write { db in for r in written { try r.insert(db) } }
        let directory = CallerDirectoryEntry(number: "+12125550187", name: "Ann \"A\"", company: nil, address: "1 Main St/2",
                                             city: "New York", region: nil, postalCode: "10001", country: "US", customerID: "C-1", email: nil)
        var compared = 0
        for original in written {
            let r = try #require(try f.index.call(id: original.id), "read back \(original.callID)")
            #expect(r == original, "the index keeps every field of \(r.callID)")
            for holds in [nil, [], ["CASE-1", "Ärger/2"]] as [[String]?] {
                for entry in [nil, directory] {
                    let output = r.output(archiveRoot: "/srv/archive", holds: holds, directory: entry)
                    let expected = try Self.encoded(output)
                    #expect(try Self.written(output) == expected, "\(r.callID) holds \(String(describing: holds)) directory \(entry != nil)")
                    compared += 1
                }
            }
        }
        #expect(compared == 18)
        // Laid out as `.prettyPrinted` lays it out (`query --format json`): each record, and
        // the three as an array, equal to the encoder's pretty bytes.
        let outputs = try written.map { try #require(try f.index.call(id: $0.id)).output(archiveRoot: "/a", holds: ["H"], directory: directory) }
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for output in outputs {
            var json = JSONBytes()
            try output.writeJSON(into: &json)
            #expect(JSONBytes.prettyPrinted(json.bytes) == Array(try pretty.encode(output)), "\(output.record.callID) pretty")
        }
        var array = JSONBytes()
        array.raw("[")
        for (n, output) in outputs.enumerated() {
            if n > 0 { array.comma() }
            try output.writeJSON(into: &array)
        }
        array.raw("]")
        #expect(JSONBytes.prettyPrinted(array.bytes) == Array(try pretty.encode(outputs)))
        // The comparison is not vacuous: the keys that vary are there.
        let full = try Self.written(try #require(try f.index.call(id: written[0].id)).output(archiveRoot: "/a", holds: ["H"], directory: directory))
        #expect(full.contains(#""caller_name":"Zoë \"Z\" O'Neil\\\n\t/\u0001\u001f""#))
        #expect(full.contains(#""metadata":{"":"empty key","Agent":"A/7","a b":"space","agent_id":"7","queue":"sales","é":"accent"}"#))
        #expect(full.contains(#""redactions":[{"channel":null,"end_ms":4000,"reason":"requested","start_ms":2000},{"channel":0,"#))
        #expect(full.contains(#""holds":["H"]"#) && full.contains(#""caller_directory":{"address":"1 Main St/2","#))
        let bare = try Self.written(try #require(try f.index.call(id: written[1].id)).output(archiveRoot: "/a", holds: nil, directory: nil))
        #expect(bare.contains(#""caller":null,"#) && bare.contains(#""channel_activity":null,"#) && !bare.contains(#""holds""#))
        #expect(bare.contains(#""redactions":[],"#) && bare.contains(#""caller_directory":null,"#))
        let gone = try Self.written(try #require(try f.index.call(id: purged.id)).output(archiveRoot: "/a", holds: nil, directory: nil))
        #expect(gone.contains(#""archive_file":null,"#) && gone.contains(#""audio":"purged by retention on 2026-12-01T00:00:00Z"#))
    }

    @Test("pretty layout: nested and empty arrays and objects, brackets, colons and commas inside strings, as the encoder lays them out")
    func prettyLayout() throws {
        struct Awkward: Encodable {
            var a: [Int] = []
            var b: [String: String] = [:]
            var c: [[String: [Int]]] = [["x": []], [:], ["y": [1, -2]]]
            var d = "q\"u{o}t[e],: \\\" {}[]\n/"
            var e: Double = 0.25
            var f: [String?] = [nil, "", ",", "\\"]
            var g: [String: [String: Int]] = ["k": [:], "m": ["z": 1, "a b": 2]]
            var h: Bool = false
        }
        let compact = JSONEncoder(), pretty = JSONEncoder()
        compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let values: [any Encodable] = [Awkward(), [Awkward(), Awkward()], [Int](), [String: Int](), "text", 3, [[[Int]]]([[[]], [[1]]])]
        for value in values {
            #expect(JSONBytes.prettyPrinted(Array(try compact.encode(value))) == Array(try pretty.encode(value)), "\(value)")
        }
    }

    @Test("strings: every control character, quotes, backslashes, slashes and multi-byte text as the encoder escapes them")
    func strings() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let samples = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\", "/", "\u{7f}", "é", "☎️", "a\"b\\c/d\ne", ""]
        for s in samples {
            var json = JSONBytes()
            json.string(s)
            #expect(json.bytes == Array(try encoder.encode(s)), "\(s.debugDescription)")
        }
    }
}
