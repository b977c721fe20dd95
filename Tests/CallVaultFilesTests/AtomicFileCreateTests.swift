import CallVaultFiles
import Foundation
import Synchronization
import Testing

@Suite("AtomicFile.create: a file made once, whoever races to make it")
struct AtomicFileCreateTests {
    @Test("sixteen threads create one file at once: exactly one creates it, it holds that one's bytes whole, no temporary file is left")
    func oneWinner() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file(".marker")
        let results = Mutex<[(Int, Bool)]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { n in
            let created = (try? AtomicFile.create(Array("writer \(n)\n".utf8), at: path)) ?? false
            results.withLock { $0.append((n, created)) }
        }
        let winners = results.withLock { $0 }.filter(\.1).map(\.0)
        #expect(winners.count == 1, "\(winners)")
        let winner = try #require(winners.first)
        #expect(folder.contents(".marker") == Array("writer \(winner)\n".utf8))
        #expect(try folder.names() == [".marker"])
    }

    @Test("an existing file is never replaced")
    func neverReplaces() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("first\n", to: "id")
        #expect(try !AtomicFile.create(Array("second\n".utf8), at: folder.file("id")))
        #expect(folder.contents("id") == Array("first\n".utf8))
        #expect(try folder.names() == ["id"])
    }
}
