import Foundation

/// Finds DTMF key presses on every channel of interleaved float PCM, block by block, in constant memory.
///
/// Each channel is cut into blocks of 12.5 ms (100 samples at 8 kHz, scaled with the rate), each block
/// into two halves. For the 8 DTMF frequencies a single-bin DFT (the Goertzel bin, computed from a
/// table so its phase is kept) is taken over each half. A block holds a key when (ITU-T Q.24 style):
/// - the strongest row and column tones are each at least ``minToneDbfs`` (RMS, 0 dBFS = 1.0);
/// - twist: the low (row) tone at most 8 dB above the high (column) tone ("normal"), the high tone
///   at most 4 dB above the low one ("reverse");
/// - each is at least 6 dB above every other tone of its group, and the two together carry at least
///   ``minToneFraction`` of the block's power (speech, music and harmonics spread theirs);
/// - each tone's frequency, measured from the phase advance between halves and across blocks, is
///   within 2.5% of nominal: tones within ±1.5% pass, tones beyond ±3.5% do not.
/// A key press is two or more consecutive blocks with the same key (one missing block bridged): tones
/// of 40 ms or more are always seen, tones under 25 ms never. The detector reports only the time span
/// and channel of each press; the key itself stays inside this type.
public struct DTMFDetector {
    /// A detected key press on one channel, in frames: `[start, end)`.
    public struct Span: Sendable, Hashable {
        public var start: Int
        public var end: Int
        public var channel: Int
    }

    public static let rows: [Double] = [697, 770, 852, 941]
    public static let columns: [Double] = [1209, 1336, 1477, 1633]
    public static let minToneDbfs = -38.0
    public static let normalTwistDb = 8.0
    public static let reverseTwistDb = 4.0
    public static let groupMarginDb = 6.0
    public static let minToneFraction = 0.45
    public static let maxDeviation = 0.025

    public let sampleRate: Int
    public let channels: Int
    /// Frames per block; spans start and end on block boundaries.
    public let blockFrames: Int
    /// False when the rate is too low to carry the column tones; then nothing is ever detected.
    public let enabled: Bool
    private let half: Int
    private let freqs: [Double]
    /// cos/sin of the 8 frequencies at each sample of a half block (one SIMD lane per frequency).
    private let cosTable: [SIMD8<Float>]
    private let sinTable: [SIMD8<Float>]
    /// Per channel: running sums of the current half, lane k for frequency k (imaginary part negated).
    private var accRe: [SIMD8<Float>]
    private var accIm: [SIMD8<Float>]
    private var energy: [Double]
    /// Per channel: the first half of the block and the last half of the previous block.
    private var firstRe: [SIMD8<Float>], firstIm: [SIMD8<Float>]
    private var prevRe: [SIMD8<Float>], prevIm: [SIMD8<Float>]
    private var position = 0
    private var blockStart = 0
    private var states: [ChannelState]
    /// Closed key presses not yet taken by ``takeSpans()``.
    private var closed: [Span] = []
    /// Key presses, counted once however many channels heard them.
    public private(set) var keyPresses = 0
    private var lastCountedEnd = Int.min

    private struct ChannelState {
        var key = -1
        var start = 0
        var end = 0
        var blocks = 0
        var misses = 0
        var counted = false
        var prevKey = -1
    }

    public init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
        var half = Int((Double(sampleRate) * 0.00625).rounded())
        half = max(half, 1)
        self.half = half
        blockFrames = 2 * half
        enabled = sampleRate >= 4000
        freqs = Self.rows + Self.columns
        var c = [SIMD8<Float>](repeating: .zero, count: half), s = c
        for k in 0..<8 {
            let w = 2 * Double.pi * freqs[k] / Double(sampleRate)
            for n in 0..<half {
                c[n][k] = Float(cos(w * Double(n)))
                s[n][k] = Float(sin(w * Double(n)))
            }
        }
        cosTable = c
        sinTable = s
        let z = [SIMD8<Float>](repeating: .zero, count: channels)
        accRe = z; accIm = z; firstRe = z; firstIm = z; prevRe = z; prevIm = z
        energy = [Double](repeating: 0, count: channels)
        states = [ChannelState](repeating: ChannelState(), count: channels)
    }

    /// The earliest start of a key press still sounding (confirmed, not yet ended) on any channel.
    public var activeStart: Int? {
        states.filter { $0.key >= 0 && $0.blocks >= 2 }.map(\.start).min()
    }

    /// Returns and forgets the key presses that ended since the last call.
    public mutating func takeSpans() -> [Span] {
        defer { closed.removeAll(keepingCapacity: true) }
        return closed
    }

    /// Feeds interleaved samples (a whole number of frames).
    public mutating func consume(_ samples: UnsafeBufferPointer<Float>) {
        guard enabled else { return }
        let frames = samples.count / channels
        var offset = 0
        while offset < frames {
            let take = min(half - position, frames - offset)
            accumulate(samples, from: offset, count: take)
            offset += take
            position += take
            if position == half { endHalf() }
        }
    }

    private mutating func accumulate(_ samples: UnsafeBufferPointer<Float>, from: Int, count: Int) {
        let ch = channels, pos = position
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                for c in 0..<ch {
                    var e: Float = 0
                    var re = SIMD8<Float>.zero, im = SIMD8<Float>.zero
                    for i in 0..<count {
                        let x = samples[(from + i) * ch + c]
                        e += x * x
                        re += x * ct[pos + i]
                        im -= x * st[pos + i]
                    }
                    energy[c] += Double(e)
                    accRe[c] += re
                    accIm[c] += im
                }
            }
        }
    }

    private mutating func endHalf() {
        position = 0
        if !secondHalf {
            // First half done: keep it, start the second.
            firstRe = accRe; firstIm = accIm
            for i in accRe.indices { accRe[i] = .zero; accIm[i] = .zero }
            secondHalf = true
            return
        }
        secondHalf = false
        for c in 0..<channels { evaluate(channel: c) }
        prevRe = accRe; prevIm = accIm
        for i in accRe.indices { accRe[i] = .zero; accIm[i] = .zero }
        for c in 0..<channels { energy[c] = 0 }
        blockStart += blockFrames
    }

    private var secondHalf = false

    /// Decides one channel's block and advances its key-press state.
    private mutating func evaluate(channel c: Int) {
        let m = Double(blockFrames)
        var power = [Double](repeating: 0, count: 8)
        for k in 0..<8 {
            // Whole-block bin: first half + second half rotated by the first half's length.
            let w = 2 * Double.pi * freqs[k] / Double(sampleRate) * Double(half)
            let aRe = Double(firstRe[c][k]), aIm = Double(firstIm[c][k])
            let bRe = Double(accRe[c][k]), bIm = Double(accIm[c][k])
            let re = aRe + bRe * cos(w) + bIm * sin(w)
            let im = aIm + bIm * cos(w) - bRe * sin(w)
            let amplitude = 2 * (re * re + im * im).squareRoot() / m
            power[k] = amplitude * amplitude / 2
        }
        let total = energy[c] / m
        var row = 0, col = 4
        for k in 1..<4 where power[k] > power[row] { row = k }
        for k in 5..<8 where power[k] > power[col] { col = k }
        var key = -1
        if accept(power: power, total: total, row: row, col: col, channel: c) { key = row * 4 + (col - 4) }
        advance(channel: c, key: key)
        states[c].prevKey = key
    }

    private func accept(power: [Double], total: Double, row: Int, col: Int, channel c: Int) -> Bool {
        let minPower = pow(10, Self.minToneDbfs / 10)
        guard power[row] >= minPower, power[col] >= minPower else { return false }
        guard power[row] <= power[col] * pow(10, Self.normalTwistDb / 10),
              power[col] <= power[row] * pow(10, Self.reverseTwistDb / 10) else { return false }
        let margin = pow(10, Self.groupMarginDb / 10)
        for k in 0..<4 where k != row && power[k] * margin > power[row] { return false }
        for k in 4..<8 where k != col && power[k] * margin > power[col] { return false }
        guard power[row] + power[col] >= Self.minToneFraction * total else { return false }
        let key = row * 4 + (col - 4)
        return deviation(c, row, key) <= Self.maxDeviation && deviation(c, col, key) <= Self.maxDeviation
    }

    /// Relative frequency offset of the tone in bin `k`, from the phase advance between halves
    /// (and from the previous block's second half when that block held the same key).
    private func deviation(_ c: Int, _ k: Int, _ key: Int) -> Double {
        let aRe = Double(firstRe[c][k]), aIm = Double(firstIm[c][k])
        let bRe = Double(accRe[c][k]), bIm = Double(accIm[c][k])
        // b * conj(a)
        var re = bRe * aRe + bIm * aIm
        var im = bIm * aRe - bRe * aIm
        if states[c].prevKey == key {
            let pRe = Double(prevRe[c][k]), pIm = Double(prevIm[c][k])
            re += aRe * pRe + aIm * pIm
            im += aIm * pRe - aRe * pIm
        }
        let w = 2 * Double.pi * freqs[k] / Double(sampleRate) * Double(half)
        // Remove the nominal advance.
        let r2 = re * cos(w) + im * sin(w)
        let i2 = im * cos(w) - re * sin(w)
        let dphi = atan2(i2, r2)
        let df = dphi * Double(sampleRate) / (2 * Double.pi * Double(half))
        return abs(df) / freqs[k]
    }

    private mutating func advance(channel c: Int, key: Int) {
        let start = blockStart, end = blockStart + blockFrames
        if key >= 0 && key == states[c].key {
            states[c].blocks += 1
            states[c].end = end
            states[c].misses = 0
        } else if key >= 0 {
            close(channel: c)
            states[c].key = key
            states[c].start = start
            states[c].end = end
            states[c].blocks = 1
            states[c].misses = 0
            states[c].counted = false
        } else if states[c].key >= 0 {
            states[c].misses += 1
            if states[c].misses > 1 { close(channel: c) }
        }
        if states[c].key >= 0 && states[c].blocks >= 2 && !states[c].counted {
            states[c].counted = true
            // The same press heard on another channel counts once.
            if lastCountedEnd <= states[c].start { keyPresses += 1 }
            lastCountedEnd = max(lastCountedEnd, states[c].end)
        }
        if states[c].counted { lastCountedEnd = max(lastCountedEnd, states[c].end) }
    }

    private mutating func close(channel c: Int) {
        if states[c].key >= 0 && states[c].blocks >= 2 {
            closed.append(Span(start: states[c].start, end: states[c].end, channel: c))
        }
        states[c] = ChannelState()
    }

    /// Ends every press still sounding (call once, after the last samples).
    public mutating func finish() {
        for c in 0..<channels { close(channel: c) }
    }
}
