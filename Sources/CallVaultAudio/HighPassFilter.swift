import Foundation

/// A 4th-order Butterworth high-pass (two cascaded biquads), per channel, for the level meter.
///
/// DC offset and mains hum (50/60 Hz) carry energy that the RMS meter would count as talk; telephone
/// speech (300–3400 Hz) has next to none down there. At 100 Hz: DC is removed, 50 Hz is cut by
/// 24 dB and 60 Hz by 18 dB, while 150 Hz loses 0.2 dB and 200 Hz 0.02 dB. Only the analysis sees
/// the filtered signal; the encoder gets the samples as decoded.
///
/// ```swift
/// var hp = HighPassFilter(sampleRate: 8000, cutoffHz: 100, channels: 1)
/// var energy: Float = 0
/// hp.filter(samples.baseAddress!, count: samples.count, stride: 1, channel: 0) { _, y in energy += y * y }
/// ```
struct HighPassFilter {
    struct Section {
        let b0: Float, b1: Float, b2: Float, a1: Float, a2: Float
    }

    let first: Section
    let second: Section
    /// Transposed direct form II state: four values per channel (two per section).
    private var state: [Float]

    init(sampleRate: Int, cutoffHz: Double, channels: Int) {
        let w0 = 2 * Double.pi * min(cutoffHz, Double(sampleRate) * 0.45) / Double(sampleRate)
        // Butterworth 4th order: sections with Q = 1 / (2 sin(pi/8)) and 1 / (2 sin(3 pi/8)).
        func section(q: Double) -> Section {
            let alpha = sin(w0) / (2 * q)
            let a0 = 1 + alpha
            let b0 = (1 + cos(w0)) / 2 / a0
            return Section(b0: Float(b0), b1: Float(-2 * b0), b2: Float(b0),
                           a1: Float(-2 * cos(w0) / a0), a2: Float((1 - alpha) / a0))
        }
        first = section(q: 1 / (2 * sin(Double.pi / 8)))
        second = section(q: 1 / (2 * sin(3 * Double.pi / 8)))
        state = [Float](repeating: 0, count: 4 * channels)
    }

    /// Filters `count` samples of one channel read from `input` every `stride` samples, calling
    /// `body` with each input sample and its filtered value (no buffer: the meter only needs squares).
    @inline(__always)
    mutating func filter(_ input: UnsafePointer<Float>, count: Int, stride: Int, channel: Int,
                         _ body: (Float, Float) -> Void) {
        let f = first, g = second
        let i = 4 * channel
        var s0 = state[i], s1 = state[i + 1], s2 = state[i + 2], s3 = state[i + 3]
        var p = input
        for _ in 0..<count {
            let x = p.pointee
            let y = f.b0 * x + s0
            s0 = f.b1 * x - f.a1 * y + s1
            s1 = f.b2 * x - f.a2 * y
            let z = g.b0 * y + s2
            s2 = g.b1 * y - g.a1 * z + s3
            s3 = g.b2 * y - g.a2 * z
            body(x, z)
            p += stride
        }
        state[i] = s0; state[i + 1] = s1; state[i + 2] = s2; state[i + 3] = s3
    }
}
