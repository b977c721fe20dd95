import Foundation

/// Finds DTMF key presses on every channel of interleaved float PCM, window by window, in constant memory.
///
/// Each channel is cut into halves of 6.25 ms (50 samples at 8 kHz, scaled with the rate); a window is
/// two consecutive halves (12.5 ms). For the 8 DTMF frequencies a single-bin DFT is taken over each half
/// with the Goertzel recurrence (one multiply and two adds per sample and frequency, the 8 frequencies
/// in one SIMD lane each), turned at the end of the half into the complex bin so its phase is kept. A window may hold a key when
/// the strongest row and column tones are each at least ``minToneDbfs``, each 6 dB above the others of
/// its group, the two carry at least ``minToneFraction`` of the window's power, the twist is within the
/// limits plus both allowances, and each tone's frequency (from its phase advance between the halves)
/// is within ``maxBlockDeviation``. A key press is enough windows with the same key (a short gap
/// bridged) that pass as a whole (ITU-T Q.24 style): twist at most 8 dB "normal" (low tone louder) and
/// 4 dB "reverse", plus the profile's coding allowance; the two tones at least ``minRunToneFraction``
/// of the power; each frequency, from every phase product of the press, within ``maxDeviation`` (2%)
/// of nominal — tones ±1.5% off pass, tones ±3.5% off do not. The detector reports only the time span
/// and channel of each press; the key itself stays inside this type (it tells one press from the next).
///
/// How finely it looks depends on how the recording was coded (``Profile``): waveform codings
/// (PCM, µ-law, A-law) are read in windows that do not overlap, two to a press; GSM 06.10, which moves
/// each tone's level by several dB from one 20 ms frame to the next, in windows every half (overlapping),
/// three to a press, with a larger twist allowance — so that a 40 ms press survives a bad frame.
public struct DTMFDetector {
    /// A detected key press on one channel, in frames: `[start, end)`.
    public struct Span: Sendable, Hashable {
        public var start: Int
        public var end: Int
        public var channel: Int
    }

    /// The acceptance rules for a coding.
    public struct Profile: Sendable, Equatable {
        /// Halves between windows: 2 (windows side by side) or 1 (overlapping by half).
        public var hopHalves: Int
        /// Windows with the same key a press needs.
        public var minWindows: Int
        /// Windows that may fail inside a press (bridged) before it ends.
        public var maxMisses: Int
        /// Added to Q.24's twist limits for the press as a whole: coding shifts one tone against the other.
        public var codingTwistAllowanceDb: Double

        /// PCM, µ-law, A-law and the other waveform codings. GSM 06.10 raised the high tone by about 5 dB
        /// in the tests, hence an allowance of 4 dB even here (the earlier, codec-blind default).
        public static let waveform = Profile(hopHalves: 2, minWindows: 2, maxMisses: 1, codingTwistAllowanceDb: 4)
        /// GSM 06.10 full rate: a tone's level moves by up to ±8 dB between 20 ms frames, and a 40 ms press
        /// can lose a whole window to it. Overlapping windows give it five chances instead of two or three;
        /// three must agree (a span of 25 ms), and the twist may be off by 10 dB more than Q.24 allows.
        /// The tone share and the frequency rules stay as strict: speech coded as GSM never passes them.
        public static let gsm610 = Profile(hopHalves: 1, minWindows: 3, maxMisses: 2, codingTwistAllowanceDb: 10)
    }

    public static let rows: [Double] = [697, 770, 852, 941]
    public static let columns: [Double] = [1209, 1336, 1477, 1633]
    /// Each tone's minimum level. -35 dBFS is below every administration's minimum in Q.24 (about
    /// -28 dBFS for -25 dBm0 µ-law) with room for the line's loss; quieter notes in hold music were
    /// taken for a key at -38.
    public static let minToneDbfs = -35.0
    public static let normalTwistDb = 8.0
    public static let reverseTwistDb = 4.0
    public static let groupMarginDb = 6.0
    public static let minToneFraction = 0.45
    public static let maxDeviation = 0.02

    public let sampleRate: Int
    public let channels: Int
    public let profile: Profile
    /// Frames per window (two halves); spans start and end on half boundaries.
    public let blockFrames: Int
    /// False when the rate is too low to carry the column tones; then nothing is ever detected.
    public let enabled: Bool
    private let half: Int
    private let freqs: [Double]
    /// Goertzel coefficients 2·cos(w) of the 8 frequencies (one SIMD lane per frequency).
    private let coefficient: SIMD8<Float>
    /// cos(w), sin(w), cos(w·(half − 1)), sin(w·(half − 1)): turn the recurrence's last two states
    /// into the bin Σ x[n]·e^(−jwn) over the half.
    private let cosW: SIMD8<Float>, sinW: SIMD8<Float>, cosPhi: SIMD8<Float>, sinPhi: SIMD8<Float>
    /// Per channel: the recurrence's last two states, s[n−1] and s[n−2], of the current half.
    private var state1: [SIMD8<Float>], state2: [SIMD8<Float>]
    /// cos/sin of each frequency's phase advance over one half.
    private let advanceCos: [Double]
    private let advanceSin: [Double]
    private let minPower: Double
    private let marginFactor: Double
    /// Per channel: the bin of the current half once it is complete (imaginary part as Σ −x·sin).
    private var accRe: [SIMD8<Float>]
    private var accIm: [SIMD8<Float>]
    private var energy: [Double]
    /// Per channel: the half before the current one, and the one before that.
    private var prevRe: [SIMD8<Float>], prevIm: [SIMD8<Float>]
    private var prevEnergy: [Double]
    private var prev2Re: [SIMD8<Float>], prev2Im: [SIMD8<Float>]
    private var position = 0
    /// Halves completed.
    private var halves = 0
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
        var windows = 0
        var misses = 0
        /// Confirmed: a key press (enough windows, and the run as a whole passes).
        var counted = false
        var prevKey = -1
        var sum = Measure()
    }

    public init(sampleRate: Int, channels: Int, profile: Profile = .waveform) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.profile = profile
        var half = Int((Double(sampleRate) * 0.00625).rounded())
        half = max(half, 1)
        self.half = half
        blockFrames = 2 * half
        enabled = sampleRate >= 4000
        freqs = Self.rows + Self.columns
        var coefficient = SIMD8<Float>.zero, cosW = coefficient, sinW = coefficient
        var cosPhi = coefficient, sinPhi = coefficient
        for k in 0..<8 {
            let w = 2 * Double.pi * freqs[k] / Double(sampleRate)
            coefficient[k] = Float(2 * cos(w))
            cosW[k] = Float(cos(w)); sinW[k] = Float(sin(w))
            cosPhi[k] = Float(cos(w * Double(half - 1))); sinPhi[k] = Float(sin(w * Double(half - 1)))
        }
        self.coefficient = coefficient
        self.cosW = cosW; self.sinW = sinW; self.cosPhi = cosPhi; self.sinPhi = sinPhi
        let advance = freqs.map { 2 * Double.pi * $0 / Double(sampleRate) * Double(half) }
        advanceCos = advance.map(cos)
        advanceSin = advance.map(sin)
        minPower = pow(10, Self.minToneDbfs / 10)
        marginFactor = pow(10, Self.groupMarginDb / 10)
        let z = [SIMD8<Float>](repeating: .zero, count: channels)
        state1 = z; state2 = z
        accRe = z; accIm = z; prevRe = z; prevIm = z; prev2Re = z; prev2Im = z
        energy = [Double](repeating: 0, count: channels)
        prevEnergy = energy
        states = [ChannelState](repeating: ChannelState(), count: channels)
    }

    /// The earliest start of a key press still sounding (confirmed, not yet ended) on any channel.
    public var activeStart: Int? {
        states.filter { $0.key >= 0 && $0.counted }.map(\.start).min()
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
        let ch = channels, k = coefficient
        for c in 0..<ch {
            var e: Float = 0
            var s1 = state1[c], s2 = state2[c]
            for i in 0..<count {
                let x = samples[(from + i) * ch + c]
                e += x * x
                let s0 = SIMD8(repeating: x) + k * s1 - s2
                s2 = s1
                s1 = s0
            }
            energy[c] += Double(e)
            state1[c] = s1
            state2[c] = s2
        }
    }

    /// Turns each channel's recurrence states into the half's bin, Σ x[n]·e^(−jwn):
    /// e^(−jw(N−1))·(s[N−1] − e^(−jw)·s[N−2]), and resets the states for the next half.
    private mutating func closeHalf() {
        for c in 0..<channels {
            let a = state1[c] - cosW * state2[c]
            let b = sinW * state2[c]
            accRe[c] = a * cosPhi + b * sinPhi
            accIm[c] = b * cosPhi - a * sinPhi
            state1[c] = .zero
            state2[c] = .zero
        }
    }

    /// A half is complete: the window ending here is evaluated (every half, or every second one),
    /// then the halves move down.
    private mutating func endHalf() {
        position = 0
        closeHalf()
        halves += 1
        if halves >= 2 && halves % profile.hopHalves == 0 {
            for c in 0..<channels { evaluate(channel: c) }
        }
        prev2Re = prevRe; prev2Im = prevIm
        prevRe = accRe; prevIm = accIm
        prevEnergy = energy
        for i in accRe.indices { accRe[i] = .zero; accIm[i] = .zero; energy[i] = 0 }
    }

    /// Measures one channel's window (the previous half and this one), decides whether it may hold a
    /// key, and advances the press state.
    private mutating func evaluate(channel c: Int) {
        let m = Double(blockFrames)
        var power = [Double](repeating: 0, count: 8)
        for k in 0..<8 {
            // Whole-window bin: first half + second half rotated by the first half's length.
            let aRe = Double(prevRe[c][k]), aIm = Double(prevIm[c][k])
            let bRe = Double(accRe[c][k]), bIm = Double(accIm[c][k])
            let re = aRe + bRe * advanceCos[k] + bIm * advanceSin[k]
            let im = aIm + bIm * advanceCos[k] - bRe * advanceSin[k]
            let amplitude = 2 * (re * re + im * im).squareRoot() / m
            power[k] = amplitude * amplitude / 2
        }
        let total = (prevEnergy[c] + energy[c]) / m
        var row = 0, col = 4
        for k in 1..<4 where power[k] > power[row] { row = k }
        for k in 5..<8 where power[k] > power[col] { col = k }
        let key = row * 4 + (col - 4)
        let rowPhase = phaseProduct(c, row, key), colPhase = phaseProduct(c, col, key)
        let window = Measure(row: power[row], col: power[col], total: total, rowPhase: rowPhase, colPhase: colPhase)
        let candidate = windowAccepts(power: power, row: row, col: col, window)
        advance(channel: c, key: candidate ? key : -1, window)
        states[c].prevKey = candidate ? key : -1
    }

    /// Power-weighted sums over a window or a run: tone powers, total power, phase products.
    struct Measure {
        var row = 0.0, col = 0.0, total = 0.0
        var rowPhase = (0.0, 0.0), colPhase = (0.0, 0.0)

        static func += (a: inout Measure, b: Measure) {
            a.row += b.row; a.col += b.col; a.total += b.total
            a.rowPhase.0 += b.rowPhase.0; a.rowPhase.1 += b.rowPhase.1
            a.colPhase.0 += b.colPhase.0; a.colPhase.1 += b.colPhase.1
        }
    }

    /// GSM also moves a tone's level from window to window: a single window may exceed the press's
    /// twist limits by this much more.
    static let blockTwistSlackDb = 4.0
    /// The press as a whole: share of the power in the two tones.
    static let minRunToneFraction = 0.67

    /// One window's checks (level, twist with slack, group margin, tone share, frequency).
    private func windowAccepts(power: [Double], row: Int, col: Int, _ m: Measure) -> Bool {
        guard m.row >= minPower, m.col >= minPower else { return false }
        guard twistOK(m, slackDb: profile.codingTwistAllowanceDb + Self.blockTwistSlackDb) else { return false }
        for k in 0..<4 where k != row && power[k] * marginFactor > m.row { return false }
        for k in 4..<8 where k != col && power[k] * marginFactor > m.col { return false }
        guard m.row + m.col >= Self.minToneFraction * m.total else { return false }
        return deviation(m.rowPhase, row) <= Self.maxBlockDeviation && deviation(m.colPhase, col) <= Self.maxBlockDeviation
    }

    /// A single window's frequency estimate is noisier: it may be this far off; the press as a whole ``maxDeviation``.
    static let maxBlockDeviation = 0.03

    private func twistOK(_ m: Measure, slackDb: Double) -> Bool {
        m.row <= m.col * pow(10, (Self.normalTwistDb + slackDb) / 10) && m.col <= m.row * pow(10, (Self.reverseTwistDb + slackDb) / 10)
    }

    /// The whole press so far: twist with the coding allowance, tone share, frequency from every phase product.
    private func runAccepts(_ m: Measure, key: Int) -> Bool {
        twistOK(m, slackDb: profile.codingTwistAllowanceDb) && m.row + m.col >= Self.minRunToneFraction * m.total
            && deviation(m.rowPhase, key / 4) <= Self.maxDeviation && deviation(m.colPhase, 4 + key % 4) <= Self.maxDeviation
    }

    /// Sum of `next * conj(previous)` over the half pairs of bin `k` (the halves of this window, and,
    /// for windows side by side, the previous window's second half with this window's first when that
    /// window held the same key; overlapping windows already share that pair), with the nominal phase
    /// advance removed: its angle is the tone's offset from nominal.
    private func phaseProduct(_ c: Int, _ k: Int, _ key: Int) -> (Double, Double) {
        let aRe = Double(prevRe[c][k]), aIm = Double(prevIm[c][k])
        let bRe = Double(accRe[c][k]), bIm = Double(accIm[c][k])
        var re = bRe * aRe + bIm * aIm
        var im = bIm * aRe - bRe * aIm
        if profile.hopHalves == 2 && states[c].prevKey == key {
            let pRe = Double(prev2Re[c][k]), pIm = Double(prev2Im[c][k])
            re += aRe * pRe + aIm * pIm
            im += aIm * pRe - aRe * pIm
        }
        return (re * advanceCos[k] + im * advanceSin[k], im * advanceCos[k] - re * advanceSin[k])
    }

    /// Relative frequency offset of bin `k`'s tone from a phase product.
    private func deviation(_ p: (Double, Double), _ k: Int) -> Double {
        let df = atan2(p.1, p.0) * Double(sampleRate) / (2 * Double.pi * Double(half))
        return abs(df) / freqs[k]
    }

    private mutating func advance(channel c: Int, key: Int, _ m: Measure) {
        let end = halves * half, start = end - blockFrames
        if key >= 0 && key == states[c].key {
            states[c].windows += 1
            states[c].end = end
            states[c].misses = 0
            states[c].sum += m
        } else if key >= 0 {
            close(channel: c)
            states[c].key = key
            states[c].start = start
            states[c].end = end
            states[c].windows = 1
            states[c].misses = 0
            states[c].counted = false
            states[c].sum = m
        } else if states[c].key >= 0 {
            states[c].misses += 1
            if states[c].misses > profile.maxMisses { close(channel: c) }
        }
        if states[c].key >= 0 && states[c].windows >= profile.minWindows && !states[c].counted && states[c].misses == 0
            && runAccepts(states[c].sum, key: states[c].key) {
            states[c].counted = true
            // The same press heard on another channel (or merged with a previous span) counts once.
            if lastCountedEnd <= states[c].start { keyPresses += 1 }
        }
        if states[c].counted { lastCountedEnd = max(lastCountedEnd, states[c].end) }
    }

    private mutating func close(channel c: Int) {
        if states[c].key >= 0 && states[c].counted {
            closed.append(Span(start: states[c].start, end: states[c].end, channel: c))
        }
        states[c] = ChannelState()
    }

    /// Ends every press still sounding (call once, after the last samples).
    public mutating func finish() {
        for c in 0..<channels { close(channel: c) }
    }
}
