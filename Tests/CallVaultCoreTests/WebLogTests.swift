import CallVaultCore
import Foundation
import Testing

@Suite("Web logs: sidecar direction, call-back requests and sessions from CSV or JSON Lines")
struct WebLogTests {
    @Test("an outbound sidecar needs callee, not tracking_number; direction is inbound or outbound")
    func outboundSidecar() throws {
        let s = try Sidecar.parse(Data("""
            {"direction": "outbound", "callee": "(510) 555-0142", "callback_request_id": "cb-1", "started_at": "2026-11-28T20:00:00Z"}
            """.utf8))
        #expect(s.direction == .outbound && s.callee == "(510) 555-0142" && s.callbackRequestID == "cb-1" && s.trackingNumber == "")
        #expect(s.extra.isEmpty)
        #expect(try Sidecar.parse(Data(#"{"tracking_number": "+14155550100", "started_at": "2026-11-28T20:00:00Z"}"#.utf8)).direction == .inbound)
        func problem(_ json: String) -> String? {
            do { _ = try Sidecar.parse(Data(json.utf8)); return nil } catch let e as SidecarError { return e.message } catch { return "\(error)" }
        }
        #expect(problem(#"{"direction": "outbound", "started_at": "2026-11-28T20:00:00Z"}"#)
                == "sidecar field callee is required when direction is outbound (the number dialled)")
        #expect(problem(#"{"direction": "sideways", "tracking_number": "1", "started_at": "2026-11-28T20:00:00Z"}"#)
                == "sidecar field direction must be inbound or outbound (\"sideways\")")
        #expect(problem(#"{"started_at": "2026-11-28T20:00:00Z"}"#) == "sidecar lacks the required field tracking_number")
    }

    @Test("the same requests from CSV and JSON Lines; numbers normalised, local times in the zone given")
    func csvAndJSONLines() throws {
        let csv = "request_id,phone,requested_at,utm_source,gclid\ncb-1,(510) 555-0142,2026-11-28T14:48:00,google,\n"
        let jsonl = "{\"request_id\": \"cb-1\", \"phone\": \"+1 510 555 0142\", \"requested_at\": \"2026-11-28T19:48:00Z\", \"utm_source\": \"google\", \"gclid\": null}\n"
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let a = try CallbackRequest.parse(text: csv, file: "a.csv", defaultCountryCode: "1", timeZone: zone)
        let b = try CallbackRequest.parse(text: jsonl, file: "b.jsonl", defaultCountryCode: "1")
        #expect(a.count == 1 && b.count == 1)
        #expect(a[0].phone == "+15105550142" && a[0].requestedAt == b[0].requestedAt && a[0].utmSource == "google" && a[0].gclid == nil)
        #expect(a[0].line == 2 && b[0].line == 1)
    }

    @Test("sessions: errors name FILE:LINE: field: reason")
    func sessionErrors() {
        func problem(_ text: String) -> String? {
            do { _ = try WebSession.parse(text: text, file: "s.csv", defaultCountryCode: "1"); return nil } catch { return "\(error)" }
        }
        let header = "session_id,pool_number,first_seen,last_seen\n"
        #expect(problem(header + "s1,4155550110,2026-11-28T10:00:00Z,2026-11-28T10:05:00Z\n") == nil)
        #expect(problem(header + "s1,nope,2026-11-28T10:00:00Z,2026-11-28T10:05:00Z\n") == "s.csv:2: pool_number: \"nope\" is not a phone number")
        #expect(problem(header + "s1,4155550110,2026-11-28,2026-11-28T10:05:00Z\n")
                == "s.csv:2: first_seen: \"2026-11-28\" is not an ISO 8601 time (e.g. 2026-11-28T14:03:00Z)")
        #expect(problem("{\"session_id\": \"s1\", \"pool_number\": 4155550110, \"first_seen\": \"2026-11-28T10:00:00Z\", \"last_seen\": [1]}\n")
                == "s.csv:1: last_seen: must be a string")
        #expect(problem("{\"session_id\": \"s1\", \"keyword\": \"a\", \"colour\": \"b\"}\n")?.hasPrefix("s.csv:1: colour: not one of session_id,") == true)
    }
}
