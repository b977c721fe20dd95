import Foundation
import Testing

@Suite("Fuzz corpus and crash inputs replay without a crash")
struct FuzzRegressionTests {
    @Test("every input kept in Tests/Fuzz/TARGET is handled", arguments: ["sidecar", "csv", "config", "audio"])
    func replay(target: String) throws {
        let replay = (Support.binary as NSString).deletingLastPathComponent + "/callvault-fuzz"
        let corpus = Support.packageRoot.appendingPathComponent("Tests/Fuzz/\(target)").path
        let r = try Support.run(replay, [target, corpus])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("inputs replayed without a crash"))
    }
}
