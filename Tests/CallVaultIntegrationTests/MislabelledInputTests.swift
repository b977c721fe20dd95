import Foundation
import Testing

/// Files with a headerless extension (.ulaw, .alaw, .gsm, .sln...) whose content has a real header.
@Suite("a wrong extension never turns a recording into noise")
struct MislabelledInputTests {
    private static func analyse(_ path: String) throws -> [String: Any] {
        let r = try Support.callvault(["analyze", path, "--json"])
        return try Support.json(r.stdout) as? [String: Any] ?? [:]
    }

    @Test("a file with a header named as headerless is decoded by its header, with a warning",
          arguments: [("speech.wav", "ulaw", "RIFF"), ("speech.flac", "alaw", "FLAC"), ("speech.ogg", "sln", "Ogg"),
                      ("speech.aiff", "gsm", "FORM"), ("speech.au", "ulaw", "Sun/NeXT"), ("speech.mp3", "sln16", "ID3"),
                      ("bare.mp3", "ulaw", "MPEG audio frames")])
    func decodedByHeader(fixture: String, ext: String, signature: String) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var source = Support.fixture(fixture)
        if fixture == "bare.mp3" {
            // MP3 without an ID3 tag or Xing header: the file starts with a frame header.
            source = dir.appendingPathComponent("bare.mp3").path
            let r = try Support.run("ffmpeg", ["-nostdin", "-v", "error", "-i", Support.fixture("speech.wav"), "-c:a", "libmp3lame",
                                               "-b:a", "32k", "-id3v2_version", "0", "-write_xing", "0", source])
            try #require(r.status == 0, "\(r.stderr)")
            let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: source)).readData(ofLength: 2)
            try #require(head == Data([0xFF, 0xF3]) || head == Data([0xFF, 0xFB]) || head == Data([0xFF, 0xE3]), "\(Array(head))")
        }
        let renamed = dir.appendingPathComponent("m1.\(ext)").path
        try FileManager.default.copyItem(atPath: source, toPath: renamed)
        let original = try Self.analyse(source)
        let a = try Self.analyse(renamed)
        let originalMs = try #require(original["duration_ms"] as? Int)
        #expect(a["duration_ms"] as? Int == originalMs)
        #expect(a["outcome"] as? String == original["outcome"] as? String)
        #expect(a["talk_ms"] as? Int == original["talk_ms"] as? Int)
        let warnings = a["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("named as headerless") && $0.contains(signature) && $0.contains("decoded by its header") },
                "\(warnings)")

        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", renamed, out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("named as headerless"), "\(r.stdout)")
        let info = try Support.opusinfoLength(out)
        #expect(abs(info.seconds * 1000 - Double(originalMs)) <= 20, "opusinfo \(info.seconds) s vs \(originalMs) ms")
    }

    @Test("a header libsndfile cannot read under a headerless name is refused, not decoded as noise",
          arguments: [("ulaw", "µ-law"), ("gsm", "GSM 6.10")])
    func unreadableHeader(ext: String, claimed: String) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m2.\(ext)").path
        var bytes = Array("FORM".utf8) + [0, 0, 0x40, 0] + Array("XXXX".utf8)
        bytes += (0..<16000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let out = dir.appendingPathComponent("out.opus").path
        let r = try Support.callvault(["transcode", path, out])
        #expect(r.status == 2)
        #expect(r.stderr.contains("m2.\(ext): named as headerless \(claimed) (.\(ext)) but starts with a FORM (AIFF) header"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("µ-law that starts with 0xFF bytes (silence), or with four bytes that look like one MPEG frame header, stays µ-law")
    func realMuLaw() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let speech = try Data(contentsOf: URL(fileURLWithPath: Support.fixture("speech.ulaw")))
        for (name, prefix) in [("silence.ulaw", [UInt8](repeating: 0xFF, count: 800)), ("syncword.ulaw", [0xFF, 0xFB, 0x90, 0x64])] {
            let path = dir.appendingPathComponent(name).path
            try (Data(prefix) + speech).write(to: URL(fileURLWithPath: path))
            let a = try Self.analyse(path)
            #expect(a["duration_ms"] as? Int == (prefix.count + speech.count) / 8, "\(name)")
            #expect((a["warnings"] as? [String])?.isEmpty == true, "\(name): \(a["warnings"] ?? "")")
            #expect((a["format"] as? String)?.contains("U-Law") == true, "\(name): \(a["format"] ?? "")")
        }
    }

    @Test("callvault run: a WAV named .ulaw is archived with the WAV's length and the warning in the record")
    func throughRun() throws {
        let f = try SpoolFixture()
        defer { f.remove() }
        try FileManager.default.copyItem(atPath: Support.fixture("speech.wav"), toPath: f.incoming + "/m1.ulaw")
        try f.writeSidecar(stem: "m1", SpoolFixture.sidecar())
        let r = try f.run()
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let row = try f.sql("SELECT duration_ms, outcome, warnings, archive_path FROM calls WHERE call_id = 'm1'")
        try #require(row.count == 1)
        #expect(row[0][0] == "24131")
        #expect(row[0][1] == "answered")
        #expect(row[0][2].contains("named as headerless µ-law (.ulaw) but starts with a RIFF (WAV) header"), "\(row[0][2])")
        #expect(abs(try Support.opusinfoLength(f.archive + "/" + row[0][3]).seconds - 24.131) < 0.02)
    }
}
