import CallVaultCore
import CallVaultSettings
import Foundation
import Testing

private func parse(_ json: String) throws -> Sidecar { try Sidecar.parse(Data(json.utf8)) }

private func error(_ json: String) -> String? {
    do { _ = try parse(json); return nil } catch let e as SidecarError { return e.message } catch { return "\(error)" }
}

@Suite("Sidecar parsing")
struct SidecarTests {
    @Test("all known fields, and unknown ones kept")
    func full() throws {
        let s = try parse("""
        {"tracking_number": "+14155550100", "started_at": "2026-11-28T09:03:00-05:00", "call_id": "1732.42",
         "caller": "anonymous", "caller_name": "ACME", "disposition": "NO ANSWER", "duration_s": 31.5,
         "channels": ["caller", "agent"], "metadata": {"queue": "sales"}, "vendor": {"x": 1}}
        """)
        #expect(s.trackingNumber == "+14155550100")
        #expect(Timestamp.format(s.startedAt) == "2026-11-28T14:03:00Z")
        #expect(s.callID == "1732.42")
        #expect(s.durationSeconds == 31.5)
        #expect(s.channels == ["caller", "agent"])
        #expect(s.metadata == ["queue": "sales"])
        #expect(s.extra == ["vendor": .object(["x": .int(1)])])
    }

    @Test("each problem is one readable sentence naming the field", arguments: [
        (#"{"started_at": "2026-11-28T14:03:00Z"}"#, "lacks the required field tracking_number"),
        (#"{"tracking_number": "1"}"#, "lacks the required field started_at"),
        (#"{"tracking_number": "1", "started_at": "2026-11-28 14:03"}"#, "started_at is not an ISO 8601 time"),
        (#"{"tracking_number": "1", "started_at": "2026-11-28T14:03:00"}"#, "started_at is not an ISO 8601 time"),
        (#"{"tracking_number": "", "started_at": "2026-11-28T14:03:00Z"}"#, "tracking_number is empty"),
        (#"{"tracking_number": "1", "started_at": "2026-11-28T14:03:00Z", "duration_s": "long"}"#, "duration_s must be a number"),
        (#"{"tracking_number": "1", "started_at": "2026-11-28T14:03:00Z", "metadata": {"a": 1}}"#, "metadata value \"a\" must be a string"),
        (#"{"tracking_number": "1", "started_at": "2026-11-28T14:03:00Z", "channels": "stereo"}"#, "channels must be a list"),
        (#"[1, 2]"#, "must be a JSON object"),
        (#"{"tracking_number": "#, "not valid JSON"),
    ])
    func problems(_ json: String, _ expected: String) {
        #expect(error(json)?.contains(expected) == true, "\(error(json) ?? "no error")")
    }

    @Test("limits: deep nesting and oversized files are refused before parsing")
    func limits() {
        let deep = String(repeating: "[", count: 10000) + String(repeating: "]", count: 10000)
        #expect(error(deep)?.contains("nested deeper") == true)
        let huge = #"{"tracking_number": "1", "started_at": "2026-11-28T14:03:00Z", "x": ""# + String(repeating: "a", count: 2 << 20) + "\"}"
        #expect(error(huge)?.contains("limit") == true)
        let long = #"{"tracking_number": ""# + String(repeating: "1", count: 300) + #"", "started_at": "2026-11-28T14:03:00Z"}"#
        #expect(error(long)?.contains("longer than 256") == true)
    }

    @Test("record ids are stable, distinct and safe whatever the call id", arguments: ["../../x", "a/b", "", "1732.42", "\u{0}"])
    func recordID(_ callID: String) {
        let id = RecordID.make(callID: callID)
        #expect(RecordID.isWellFormed(id))
        #expect(id == RecordID.make(callID: callID))
        #expect(id != RecordID.make(callID: callID + "1"))
    }

    @Test("impossible dates and offsets are refused, not shifted", arguments: [
        "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z",
        "2026-11-20T10:00:00+25:00", "2026-11-20T10:00:00+99:99", "2026-11-20T10:00:00+18:01", "2025-02-29T10:00:00Z",
        "2026-11-20T10:00:00", "2026-11-20",
    ])
    func impossibleTimes(_ time: String) {
        let message = error(#"{"tracking_number": "+14155550100", "started_at": "\#(time)"}"#)
        #expect(message?.contains("started_at") == true)
    }

    @Test("one grammar for times: with or without seconds, T or space, any valid offset", arguments: [
        ("2026-11-20T14:00Z", "2026-11-20T14:00:00Z"), ("2026-11-20 14:00:00Z", "2026-11-20T14:00:00Z"),
        ("2026-11-20T09:00:00-05:00", "2026-11-20T14:00:00Z"), ("2026-11-20T19:30+0530", "2026-11-20T14:00:00Z"),
        ("2024-02-29T14:00:00.5Z", "2024-02-29T14:00:00Z"), ("2026-11-20T14:00:00-18:00", "2026-11-21T08:00:00Z"),
    ])
    func timeGrammar(_ time: String, _ expected: String) throws {
        let s = try parse(#"{"tracking_number": "+14155550100", "started_at": "\#(time)"}"#)
        #expect(Timestamp.format(s.startedAt) == expected)
    }

    @Test("an empty or blank call_id falls back to the stem", arguments: [#""""#, #""   ""#])
    func emptyCallID(_ value: String) throws {
        let s = try parse(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "call_id": \#(value)}"#)
        #expect(s.callID == nil)
    }

    @Test("a key written twice is refused with its name, at any depth", arguments: [
        (#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "caller": "1", "caller": "2"}"#, "caller"),
        (#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "metadata": {"q": "a", "\u0071": "b"}}"#, "q"),
        (#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "x": [{"a": 1}, {"a": 2}], "call_id": "1", "call_id": "2"}"#, "call_id"),
    ])
    func duplicateKeys(_ json: String, _ key: String) {
        let message = error(json)
        #expect(message?.contains("\"\(key)\" twice") == true)
    }

    @Test("keys that differ only in Unicode form are refused as one key written twice, never silently merged")
    func canonicallyEquivalentKeys() throws {
        let message = error(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "metadata": {"\u00e9": "a", "e\u0301": "b"}}"#)
        #expect(message?.contains("two Unicode forms") == true, "\(message ?? "accepted")")
    }

    @Test("a call_id written as a number with a fraction is refused (a Double drops its digits); an integer is read exactly")
    func numericCallID() throws {
        let message = error(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "call_id": 1764338400.110}"#)
        #expect(message?.contains("write it as a string") == true, "\(message ?? "accepted")")
        let s = try parse(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "call_id": 9007199254740993}"#)
        #expect(s.callID == "9007199254740993")
    }

    @Test("the same key in sibling objects is not a duplicate")
    func siblings() throws {
        _ = try parse(#"{"tracking_number": "+14155550100", "started_at": "2026-11-20T14:00:00Z", "x": [{"a": 1}, {"a": 2}]}"#)
    }

    @Test("started_at far in the past or ahead of the clock is implausible")
    func plausibleTimes() throws {
        let window = Settings.Defaults.plausibleTimes
        let now = try #require(Timestamp.parseInstant("2026-11-29T12:00:00Z"))
        #expect(window.problem(with: try #require(Timestamp.parseInstant("1970-01-01T00:00:05Z")), now: now)?.contains("unset") == true)
        #expect(window.problem(with: try #require(Timestamp.parseInstant("2027-01-01T00:00:00Z")), now: now)?.contains("30 days ahead") == true)
        #expect(window.problem(with: try #require(Timestamp.parseInstant("2026-12-20T00:00:00Z")), now: now) == nil)
        #expect(window.problem(with: try #require(Timestamp.parseInstant("2001-01-01T00:00:00Z")), now: now) == nil)
    }
}

@Suite("Timestamp formatting and local times")
struct TimestampTests {
    @Test("formatting agrees with Foundation's ISO 8601 formatter", arguments: [
        0.0, 1_764_338_400, 951_782_399.75, -1, -86_400 * 365.25 * 30, 4_102_444_800, 1_709_164_800,
    ])
    func format(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        #expect(Timestamp.format(date) == f.string(from: date))
    }

    @Test("local times take the offset in force, on both sides of a daylight-saving change", arguments: [
        ("2026-11-01T00:30", "2026-11-01T04:30:00Z"), ("2026-11-01T03:00", "2026-11-01T08:00:00Z"),
        ("2026-03-08T01:59", "2026-03-08T06:59:00Z"), ("2026-03-08T03:00", "2026-03-08T07:00:00Z"),
        ("2026-07-01", "2026-07-01T04:00:00Z"),
    ])
    func local(_ text: String, _ expected: String) throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let date = try #require(Timestamp.parseBoundary(text, timeZone: zone))
        #expect(Timestamp.format(date) == expected)
    }
}
