import CallVaultCore
import Foundation
import Testing

private func parse(_ json: String) throws -> Sidecar { try Sidecar.parse(Data(json.utf8)) }

private func error(_ json: String) -> String? {
    do { _ = try parse(json); return nil } catch let e as SidecarError { return e.message } catch { return "\(error)" }
}

/// `digits` (without its check digit) completed with the Luhn check digit.
private func withCheckDigit(_ digits: String) -> String {
    (0...9).map { digits + String($0) }.first { PaymentCardNumber.passesLuhn($0.utf8.map { $0 - 48 }) }!
}

private let base = #""tracking_number": "+14155550100", "started_at": "2026-11-28T14:03:00Z""#

@Suite("Payment card numbers kept out of the index")
struct PaymentCardNumberTests {
    @Test("13 to 19 digits passing Luhn, together or grouped by spaces or dashes, are card numbers", arguments: [
        "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005", "3782 822463 10005",
        "4222222222222", "card 4111 1111 1111 1111 exp 12/28", "ref 12 4111111111111111", "pan:5555555555554444.",
        withCheckDigit("601100000000000000"), withCheckDigit("412345678901"),
    ])
    func found(text: String) {
        #expect(PaymentCardNumber.isContained(in: text), "\(text.count) characters")
    }

    @Test("phone numbers, ids, dates and numbers failing Luhn are not", arguments: [
        "4111111111111112", "4111 1111 1111 1112", "+1 415 555 0100", "(212) 555-0187", "1732802580.42",
        "2026-11-28T14:03:00Z", "2026-11-28 14:03:00", "411111111111", "41111111111111111111111",
        "4111  1111 1111 1111", "4111--1111-1111-1111", "sales", "",
    ])
    func notFound(text: String) {
        #expect(!PaymentCardNumber.isContained(in: text), "\(text)")
    }

    @Test("sidecar values holding one are replaced before anyone reads them; the fields are named")
    func sidecar() throws {
        let s = try parse("""
        {\(base), "caller": "+1 646 555 0170", "caller_name": "paid with 4111 1111 1111 1111",
         "disposition": "ANSWERED", "metadata": {"queue": "sales", "note": "card 5555-5555-5555-4444 exp 01/29 cvv 123"},
         "vendor": {"history": ["x", 4111111111111111, {"pan": "378282246310005"}], "ok": 12}}
        """)
        #expect(s.callerName == "[redacted-pan]")
        #expect(s.caller == "+1 646 555 0170")
        #expect(s.metadata == ["queue": "sales", "note": "[redacted-pan]"])
        #expect(s.extra == ["vendor": .object(["history": .array([.string("x"), .string("[redacted-pan]"),
                                                                  .object(["pan": .string("[redacted-pan]")])]),
                                               "ok": .int(12)])])
        #expect(s.redactedFields == ["caller_name", "metadata.note", "vendor.history[1]", "vendor.history[2].pan"])
        let clean = try parse("{\(base), \"metadata\": {\"queue\": \"sales\"}}")
        #expect(clean.redactedFields.isEmpty)
    }

    @Test("a call_id holding one is dropped (the file name names the call), not shared by every such call")
    func callID() throws {
        let s = try parse("{\(base), \"call_id\": \"4111-1111-1111-1111\"}")
        #expect(s.callID == nil)
        #expect(s.redactedFields == ["call_id"])
    }

    @Test("redact: spans in whole milliseconds, kept in order")
    func redactSpans() throws {
        let s = try parse(#"{"# + base + #", "redact": [{"start_ms": 5000, "end_ms": 9000}, {"start_ms": 0, "end_ms": 1}]}"#)
        #expect(s.redact == [Interval(startMs: 5000, endMs: 9000), Interval(startMs: 0, endMs: 1)])
        #expect(s.extra.isEmpty)
        #expect(try parse("{\(base), \"redact\": []}").redact.isEmpty)
    }

    @Test("a bad redact span is one sentence naming it", arguments: [
        (#""redact": {"start_ms": 1, "end_ms": 2}"#, "redact must be a list of spans"),
        (#""redact": [5]"#, "redact[0] must be an object with start_ms and end_ms"),
        (#""redact": [{"start_ms": 1, "end_ms": 2}, {"start_ms": 1000}]"#, "redact[1] needs end_ms as a whole number of milliseconds"),
        (#""redact": [{"start_ms": 1.5, "end_ms": 2}]"#, "redact[0] needs start_ms as a whole number"),
        (#""redact": [{"start_ms": "1", "end_ms": 2}]"#, "redact[0] needs start_ms as a whole number"),
        (#""redact": [{"start_ms": -5, "end_ms": 2}]"#, "redact[0]: start_ms -5 is not between 0 and 604800000 ms"),
        (#""redact": [{"start_ms": 2000, "end_ms": 1000}]"#, "redact[0]: end_ms 1000 is not after start_ms 2000"),
        (#""redact": [{"start_ms": 2000, "end_ms": 2000}]"#, "redact[0]: end_ms 2000 is not after start_ms 2000"),
    ])
    func badSpans(field: String, message: String) {
        let e = error("{\(base), \(field)}")
        #expect(e?.contains(message) == true, "\(e ?? "accepted")")
    }
}
