import Foundation
import Testing

@Suite("Fuzz corpus and crash inputs replay without a crash")
struct FuzzRegressionTests {
    static var replayer: String { (Support.binary as NSString).deletingLastPathComponent + "/callvault-fuzz" }

    @Test("every input kept in Tests/Fuzz/TARGET is handled", arguments: ["sidecar", "csv", "config", "audio"])
    func replay(target: String) throws {
        let corpus = Support.packageRoot.appendingPathComponent("Tests/Fuzz/\(target)").path
        // Bounded: a crashing input must fail this test in seconds in every build, sanitizers included.
        let r = try Support.runBounded(Self.replayer, [target, corpus], timeout: 600)
        #expect(!r.timedOut, "replay of \(target) still running after 600 s; stderr: \(r.stderr.suffix(2000))")
        #expect(r.status == 0, "\(r.stderr.suffix(4000))")
        #expect(r.stdout.contains("inputs replayed without a crash"))
    }

    @Test("a crashing replay fails fast, even when a descendant keeps its output pipes open")
    func crashFailsFast() throws {
        // The child exits 3 at once; a background `sleep` it started holds stdout and stderr for 60 s,
        // as swift-backtrace or llvm-symbolizer can after a crash. Reading to end of file would wait 60 s.
        let start = Date()
        let r = try Support.runBounded("/bin/sh", ["-c", "echo crashed >&2; sleep 60 & exit 3"], timeout: 30, grace: 1)
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(r.status == 3 && !r.timedOut)
        #expect(r.stderr.contains("crashed"))
    }

    @Test("the replayer crashing on an input is reported as a failure with the input's name")
    func crashIsReported() throws {
        // An unknown target makes the replayer trap (fatalError): the stand-in for a crashing input.
        let input = Support.packageRoot.appendingPathComponent("Tests/Fuzz/config/small.toml").path
        let start = Date()
        let r = try Support.runBounded(Self.replayer, ["no-such-target", input], timeout: 120)
        #expect(Date().timeIntervalSince(start) < 120)
        #expect(r.status != 0 && !r.timedOut)
        #expect(r.stderr.contains("small.toml"), "\(r.stderr.suffix(2000))")
    }

    @Test("a hung child is killed at the deadline")
    func hangIsKilled() throws {
        let start = Date()
        let r = try Support.runBounded("/bin/sleep", ["60"], timeout: 2, grace: 1)
        #expect(r.timedOut)
        #expect(Date().timeIntervalSince(start) < 20)
    }
}
