import CSoxr

/// libsoxr converting interleaved floats from a rate Opus lacks to one it has. Owns the `soxr_t`.
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    public let channels: Int
    private let handle: soxr_t
    private var output: [Float] = []

    /// The Opus rate used for `rate`: the rate itself when Opus has it, else the next one above
    /// (11.025 kHz → 12 kHz, 22.05 kHz → 24 kHz, 32 and 44.1 kHz → 48 kHz), so no speech band is lost.
    public static func opusRate(for rate: Int) -> Int {
        OpusStreamEncoder.supportedRates.sorted().first { $0 >= rate } ?? 48000
    }

    public init(inputRate: Int, outputRate: Int, channels: Int) throws {
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        var error: soxr_error_t?
        guard let handle = soxr_create(Double(inputRate), Double(outputRate), UInt32(channels), &error, nil, nil, nil),
              error == nil else {
            throw AudioError(.codec, path: "", "libsoxr refused \(inputRate) → \(outputRate) Hz")
        }
        self.handle = handle
    }

    deinit { soxr_delete(handle) }

    /// Resamples `frames` frames of `input` (nil flushes the tail) and passes the result to `body`.
    public func process(_ input: UnsafeBufferPointer<Float>?, frames: Int, _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        let capacity = (frames * outputRate) / inputRate + 256
        if output.count < capacity * channels { output = [Float](repeating: 0, count: capacity * channels) }
        var consumed = 0
        repeat {
            var inDone = 0
            var outDone = 0
            let error = output.withUnsafeMutableBufferPointer { out in
                soxr_process(handle, input.map { $0.baseAddress! + consumed * channels }, input == nil ? 0 : frames - consumed,
                             &inDone, out.baseAddress, capacity, &outDone)
            }
            if error != nil { throw AudioError(.codec, path: "", "libsoxr failed: \(String(cString: error!))") }
            consumed += inDone
            if outDone > 0 {
                try output.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<outDone * channels])) }
            }
            if input == nil && outDone == 0 { break }
            if input != nil && consumed >= frames && outDone < capacity { break }
        } while true
    }
}
