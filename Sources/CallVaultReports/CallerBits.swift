/// A set of dense caller ids (`report_caller_ids`) as bits: adding one is a shift and an or,
/// counting them a popcount per word. A report adds ten million entries' callers to a few
/// hundred of these without hashing anything.
///
/// A class (each set its own words, written in place from the reports' per-quarter closures, see
/// ``FlatBuffer``). Ids outside `0...capacity` are ignored: the reports size every set with the
/// largest caller id read in the same transaction as the entries, so none is.
final class CallerBits {
    fileprivate let words: FlatBuffer<UInt64>
    private let limit: Int

    /// `capacity`: the largest id that can be inserted.
    init(capacity: Int) {
        limit = max(capacity, 0)
        words = FlatBuffer(repeating: 0, count: limit / 64 + 1)
    }

    @inline(__always)
    func insert(_ id: Int) {
        guard id >= 0, id <= limit else { return }
        words[id >> 6] |= 1 << UInt64(id & 63)
    }

    var count: Int { words.buffer.reduce(0) { $0 + $1.nonzeroBitCount } }
}

extension CallerBits {
    /// Adds every id of `other` (a set of the same capacity: the parts of one report).
    func formUnion(_ other: CallerBits) {
        for i in 0..<min(words.count, other.words.count) { words[i] |= other.words[i] }
    }
}
