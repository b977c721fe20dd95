import CallVaultCore
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
}
