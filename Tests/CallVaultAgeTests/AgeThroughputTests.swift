import Foundation
import Testing
@testable import CallVaultAge

@Suite("encrypting a long stream")
struct AgeThroughputTests {
    /// Resident set size in kB (Linux /proc).
    static func residentKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return Int(line.split(separator: " ")[1]) ?? -1
    }

    @Test("100 MB through AgeEncryptingWriter in constant memory, every chunk sealed, with its throughput recorded")
    func hundredMegabytes() throws {
        let id = AgeIdentity.generate()
        let piece = AgeTestSupport.bytes(1 << 20, seed: 42)   // 1 MiB written 100 times
        let total = 100 * piece.count
        var written = 0, chunks = 0, largestOutput = 0
        let baseline = Self.residentKB()
        var peak = baseline
        let writer = try AgeEncryptingWriter(recipients: [id.recipient]) { data in
            written += data.count
            chunks += 1
            if chunks > 1 { largestOutput = max(largestOutput, data.count) }
            if chunks % 64 == 0 { peak = max(peak, Self.residentKB()) }
        }
        let start = Date()
        var largestPending = 0
        for _ in 0..<100 {
            try writer.write(piece)
            largestPending = max(largestPending, writer.pendingByteCount)
        }
        try writer.finish()
        let seconds = Date().timeIntervalSince(start)
        peak = max(peak, Self.residentKB())

        #expect(written == AgeEncryptingWriter.headerLength(recipients: 1) + 16 + total + 16 * (total / 65536))
        // Constant memory, checked by construction: at most one chunk of plaintext is held and every
        // sealed chunk leaves at once. (The process's RSS is printed, not asserted: other suites run
        // in the same process at the same time.)
        #expect(largestPending <= 65_536, "the writer held \(largestPending) bytes")
        #expect(largestOutput <= 65_536 + 16, "a \(largestOutput)-byte output: chunks were gathered")
        #expect(chunks > 1_600, "\(chunks) outputs for 1,600 chunks")
        let rate = Double(total) / 1e6 / seconds
        #expect(rate > 1, "\(rate) MB/s")
        // The README's figure comes from this line.
        print("age encrypt: \(total) bytes in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", rate)) MB/s, resident +\(peak - baseline) kB")
    }
}
