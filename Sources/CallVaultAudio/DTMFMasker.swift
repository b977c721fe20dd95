import CallVaultCore

/// Detects DTMF key presses on the decoded PCM and, when encoding, silences each press plus a guard
/// on every channel before the samples reach the encoder; spans the sidecar asked for (`redact`) are
/// silenced the same way, without a guard, whether or not detection is on.
///
/// A tone is known to be one only after it has sounded for two blocks, so the encoder side is fed
/// through a fixed delay line (the guard plus six detector blocks, about 115 ms): the start of a tone
/// and its leading guard are still in the line when the press is confirmed. Memory is constant (the
/// line and one input block); the number of frames is unchanged, so pre-skip and end trimming are too.
final class DTMFMasker {
    private var detector: DTMFDetector
    let channels: Int
    let sampleRate: Int
    let guardFrames: Int
    let delayFrames: Int
    private var line: [Float] = []
    private var lineFrames = 0
    /// Absolute index of the first frame in the line.
    private var released = 0
    private var consumed = 0
    /// Masked stretches `[start, end)` in frames, guard included, not yet wholly released.
    private var pending: [(start: Int, end: Int)] = []
    private var spans: [DTMFDetector.Span] = []
    /// False: only the requested spans are masked (`[pci] mask_dtmf = false`), with no delay line.
    let detect: Bool
    let requested: [Interval]

    init(sampleRate: Int, channels: Int, guardMs: Int, detect: Bool = true, requested: [Interval] = [],
         profile: DTMFDetector.Profile = .waveform) {
        detector = DTMFDetector(sampleRate: sampleRate, channels: channels, profile: profile)
        self.channels = channels
        self.sampleRate = sampleRate
        self.detect = detect
        self.requested = requested
        guardFrames = guardMs * sampleRate / 1000
        delayFrames = detect ? guardFrames + 6 * detector.blockFrames : 0
        for span in requested {
            pending.append((frame(ms: span.startMs), frame(ms: span.endMs)))
        }
    }

    private func frame(ms: Int) -> Int { Int(Int64(ms) * Int64(sampleRate) / 1000) }

    /// Analyses `samples`; with `encode`, pushes them into the delay line and passes on (masked) what leaves it.
    func consume(_ samples: UnsafeBufferPointer<Float>, encode: ((UnsafeBufferPointer<Float>) throws -> Void)?) throws {
        if detect { detector.consume(samples) }
        consumed += samples.count / channels
        collect()
        guard let encode else { return }
        line.append(contentsOf: samples)
        lineFrames += samples.count / channels
        let release = lineFrames - delayFrames
        if release > 0 { try emit(frames: release, encode) }
    }

    /// Ends detection and passes on everything still in the line.
    func finish(encode: ((UnsafeBufferPointer<Float>) throws -> Void)?) throws {
        detector.finish()
        collect()
        if let encode, lineFrames > 0 { try emit(frames: lineFrames, encode) }
    }

    private func collect() {
        for span in detector.takeSpans() {
            spans.append(span)
            pending.append((max(0, span.start - guardFrames), span.end + guardFrames))
        }
    }

    private func emit(frames: Int, _ encode: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        let first = released, last = released + frames
        var zones = pending.map { ($0.start, $0.end) }
        if let active = detector.activeStart { zones.append((max(0, active - guardFrames), Int.max)) }
        line.withUnsafeMutableBufferPointer { buf in
            for (s, e) in zones {
                let from = max(s, first), to = min(e, last)
                if from < to {
                    for i in (from - first) * channels..<(to - first) * channels { buf[i] = 0 }
                }
            }
        }
        try line.withUnsafeBufferPointer { try encode(UnsafeBufferPointer(rebasing: $0[0..<frames * channels])) }
        line.removeFirst(frames * channels)
        lineFrames -= frames
        released = last
        pending.removeAll { $0.end <= released }
    }

    /// Key presses counted once each.
    var keyPresses: Int { detect ? detector.keyPresses : 0 }

    /// The masked stretches in ms (guard included, clipped to the recording), overlapping ones on a
    /// channel merged.
    func redactions(totalFrames: Int) -> [Redaction] {
        var out: [Redaction] = []
        for span in spans.sorted(by: { ($0.start, $0.channel) < ($1.start, $1.channel) }) {
            let s = max(0, span.start - guardFrames), e = min(totalFrames, span.end + guardFrames)
            let r = Redaction(startMs: Int(Int64(s) * 1000 / Int64(sampleRate)),
                              endMs: Int((Int64(e) * 1000 + Int64(sampleRate) - 1) / Int64(sampleRate)),
                              channel: span.channel, reason: Redaction.dtmf)
            if let i = out.lastIndex(where: { $0.channel == r.channel }), out[i].endMs >= r.startMs {
                out[i].endMs = max(out[i].endMs, r.endMs)
            } else {
                out.append(r)
            }
        }
        let durationMs = Int(Int64(totalFrames) * 1000 / Int64(sampleRate))
        for span in requested where span.startMs < durationMs {
            out.append(Redaction(startMs: span.startMs, endMs: min(span.endMs, durationMs), channel: nil, reason: Redaction.requested))
        }
        return out.sorted { ($0.startMs, $0.endMs, $0.channel ?? -1) < ($1.startMs, $1.endMs, $1.channel ?? -1) }
    }

    /// Requested spans that reach past the end of the recording: clamped to it (a switch that stops
    /// recording before "resume" writes the call's end), or dropped when they start after it. Said in
    /// the record's warnings rather than refused, so the rest of the call is archived masked as asked.
    func requestedWarnings(totalFrames: Int) -> [String] {
        let durationMs = Int(Int64(totalFrames) * 1000 / Int64(sampleRate))
        return requested.enumerated().compactMap { i, span in
            if span.startMs >= durationMs {
                return "sidecar redact[\(i)] (\(span.startMs)–\(span.endMs) ms) starts after the recording's end (\(durationMs) ms); nothing to mask"
            }
            if span.endMs > durationMs {
                return "sidecar redact[\(i)] (\(span.startMs)–\(span.endMs) ms) ends after the recording's end (\(durationMs) ms); masked to the end"
            }
            return nil
        }
    }
}
