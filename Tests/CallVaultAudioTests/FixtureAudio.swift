@testable import CallVaultAudio
import Foundation

/// Real speech for unit tests: the generated fixtures (scripts/make-fixtures.sh, Asterisk prompts).
enum FixtureAudio {
    static var directory: URL { Support.fixtures }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Every sample of a fixture, interleaved, as libsndfile decodes it.
    static func samples(_ name: String) throws -> (samples: [Float], rate: Int, channels: Int) {
        let reader = try AudioReader(path: path(name))
        var all: [Float] = []
        var block = [Float](repeating: 0, count: 4096 * reader.channels)
        while case let n = try reader.read(into: &block, frames: 4096), n > 0 {
            all.append(contentsOf: block[0..<n * reader.channels])
        }
        return (all, reader.sampleRate, reader.channels)
    }
}
