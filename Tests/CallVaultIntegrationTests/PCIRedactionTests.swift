import Foundation
import Testing

private let hasTools = Support.which("sox") != nil && Support.which("opusdec") != nil && Support.which("sqlite3") != nil

/// RMS in dBFS of each `[from, to)` ms span of a mono WAV, read by sox as raw floats.
private func levels(_ wav: String, _ spans: [(Int, Int)], rate: Int, dir: String) throws -> [Double] {
    let raw = dir + "/levels-\(UUID().uuidString).f32"
    let r = try Support.run("sox", [wav, "-t", "f32", "-e", "floating-point", "-c", "1", raw])
    try Support.require(r.status == 0, r.stderr)
    let data = try Data(contentsOf: URL(fileURLWithPath: raw))
    let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return spans.map { s, e in
        let from = s * rate / 1000, to = min(samples.count, e * rate / 1000)
        let sum = samples[from..<max(from, to)].reduce(0.0) { $0 + Double($1) * Double($1) }
        return 10 * log10(max(sum / Double(max(1, to - from)), 1e-20))
    }
}

@Suite("PCI through the worker: card digits kept out of the archive, the index and the logs")
struct PCIRedactionTests {
    static let pan = "4111-1111-1111-1111"

    @Test("key presses and a requested span are silence in the archive; card numbers in the sidecar are replaced, warned about, audited; query --redacted finds the call",
          .enabled(if: hasTools))
    func endToEnd() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let dir = f.root.path
        // Real speech with four 100 ms key presses laid over it from 8 s.
        try f.addSpeechWithKeyPresses(stem: "pci")
        try f.writeSidecar(stem: "pci", SpoolFixture.sidecar(callID: "pci-1", extra: [
            "caller": "+1 646 555 0170", "caller_name": "Ann",
            "metadata": ["queue": "sales", "note": "card \(Self.pan) exp 01/29"],
            "vendor": ["pan": 5_555_555_555_554_444],
            "redact": [["start_ms": 2000, "end_ms": 4000]],
        ]))
        try f.add(stem: "plain", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "plain-1"))
        try f.add(stem: "bad", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "bad-1", extra: [
            "redact": [["start_ms": 5000, "end_ms": 1000]]]))
        let run = try f.run()
        #expect(run.status == 3, "one pair quarantined: \(run.stderr)")
        let error = try String(contentsOfFile: f.failed + "/bad.error.json", encoding: .utf8)
        #expect(error.contains("bad.json: sidecar field redact[0]: end_ms 1000 is not after start_ms 5000"), "\(error)")
        // The logs name the file and the fields, never the digits.
        #expect(run.stderr.contains("pci.json") && run.stderr.contains("metadata.note") && run.stderr.contains("vendor.pan"), "\(run.stderr)")
        for digits in ["4111", "5555555555554444"] { #expect(!run.stderr.contains(digits)) }

        let pci = try Support.jsonObject(try Support.callvault(["show", "pci-1"] + f.storeFlags).stdout)
        #expect(pci["dtmf_tones_masked"] as? Int == 4)
        let redactions = try #require(pci["redactions"] as? [[String: Any]])
        let requested = redactions.filter { $0["reason"] as? String == "requested" }
        #expect(requested.count == 1 && requested.first?["start_ms"] as? Int == 2000 && requested.first?["end_ms"] as? Int == 4000
                && requested.first?["channel"] is NSNull, "\(redactions)")
        let dtmf = redactions.filter { $0["reason"] as? String == "dtmf" }
        #expect(!dtmf.isEmpty && dtmf.allSatisfy { $0["channel"] as? Int == 0 })
        #expect((pci["metadata"] as? [String: String]) == ["queue": "sales", "note": "[redacted-pan]"])
        #expect(((pci["extra"] as? [String: Any])?["vendor"] as? [String: String]) == ["pan": "[redacted-pan]"])
        #expect((pci["redacted_fields"] as? [String]) == ["metadata.note", "vendor.pan"])
        let warnings = try #require(pci["warnings"] as? [String])
        #expect(warnings.contains("sidecar field metadata.note held a payment card number; replaced by [redacted-pan]"), "\(warnings)")
        let plain = try Support.jsonObject(try Support.callvault(["show", "plain-1"] + f.storeFlags).stdout)
        #expect((plain["redactions"] as? [Any])?.isEmpty == true && plain["dtmf_tones_masked"] as? Int == 0)

        // query --redacted lists that call only; every row of the JSON has the fields.
        let all = try Support.jsonArray(try Support.callvault(["query", "--format", "json"] + f.storeFlags).stdout)
        #expect(all.count == 2 && all.allSatisfy { $0["redactions"] is [Any] && $0["dtmf_tones_masked"] is Int })
        let listed = try Support.jsonArray(try Support.callvault(["query", "--redacted", "--format", "json"] + f.storeFlags).stdout)
        #expect(listed.map { $0["call_id"] as? String } == ["pci-1"])
        // One audit entry, with counts and spans, no digits.
        let audit = try Support.jsonArray(try Support.callvault(["audit", "list", "--action", "redaction", "--format", "json"] + f.storeFlags).stdout)
        try #require(audit.count == 1)
        let pciID = try #require(pci["id"] as? String)
        #expect((audit[0]["ids"] as? [String]) == [pciID])
        let details = try #require(audit[0]["details"] as? [String: String])
        #expect(details["dtmf_tones_masked"] == "4" && details["fields"] == "metadata.note, vendor.pan")
        #expect(details["spans"]?.contains("requested 2000-4000 ms") == true, "\(details)")
        // Nothing in the index holds the digits (sqlite3 reads every page).
        let dump = try Support.run("sqlite3", [f.database, ".dump"])
        try Support.require(dump.status == 0, dump.stderr)
        for digits in ["4111", "5555555555554444"] { #expect(!dump.stdout.contains(digits)) }

        // The archive, decoded: silence in the masked spans, speech around them as in the input.
        let archived = try #require(pci["archive_file"] as? String)
        let decode = try Support.run("opusdec", ["--quiet", "--rate", "8000", archived, dir + "/dec.wav"])
        try Support.require(decode.status == 0, decode.stderr)
        let masked = redactions.compactMap { r -> (Int, Int)? in
            guard let s = r["start_ms"] as? Int, let e = r["end_ms"] as? Int else { return nil }
            // Opus spreads the speech either side over a 20 ms frame and its 6.5 ms look-ahead: measured 30 ms inside.
            return (s + 30, e - 30)
        }
        let input = try levels(f.root.path + "/a.wav", [(2030, 3970)], rate: 8000, dir: dir)
        #expect(input[0] > -45, "speech in the requested span of the input (\(input[0]) dBFS)")
        for (span, level) in zip(masked, try levels(dir + "/dec.wav", masked, rate: 8000, dir: dir)) {
            #expect(level < -60, "\(span): \(level) dBFS in the archive")
        }
        let around = [(0, 1980), (4020, 7000)]
        let source = try levels(f.root.path + "/a.wav", around, rate: 8000, dir: dir)
        let archive = try levels(dir + "/dec.wav", around, rate: 8000, dir: dir)
        for (s, a) in zip(source, archive) { #expect(abs(s - a) <= 1.5, "speech \(s) dBFS in, \(a) dBFS archived") }
    }
}
