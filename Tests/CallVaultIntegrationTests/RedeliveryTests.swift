import Foundation
import Testing

/// A switch that reuses a file name (a stem) for a new call, or re-sends a pair: the new pair is
/// read and archived on its own, never taken for the call archived under that stem before.
@Suite("A stem delivered again is a new pair", .serialized)
struct RedeliveryTests {
    @Test("a reused stem with another call is archived too, nothing deleted unread", arguments: [false, true])
    func reusedStem(keepOriginals: Bool) throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        let keep = keepOriginals ? ["--config", try config(f)] : []
        try f.add(stem: "rec-0001", fixture: "speech.wav", sidecar: SpoolFixture.sidecar(callID: "first"))
        #expect(try f.run(keep).status == 0)
        try f.add(stem: "rec-0001", fixture: "speech-gsm.wav",
                  sidecar: SpoolFixture.sidecar(at: "2026-11-28T15:00:00Z", callID: "second"))
        let again = try f.run(keep)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try f.sql("SELECT call_id FROM calls ORDER BY call_id").map { $0[0] } == ["first", "second"])
        #expect(try f.invariantViolations() == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.incoming).isEmpty)
        if keepOriginals {
            let kept = try FileManager.default.contentsOfDirectory(atPath: f.spool + "/done").sorted()
            #expect(kept == ["rec-0001.json", "rec-0001.json.1", "rec-0001.wav", "rec-0001.wav.1"], "both deliveries kept: \(kept)")
        }
    }

    private func config(_ f: SpoolFixture) throws -> String {
        let path = f.root.appendingPathComponent("keep.toml").path
        try Data("keep_originals = true\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
