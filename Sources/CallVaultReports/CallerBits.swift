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

/// One set of dense caller ids per group (a tracking number, source or campaign of `summary`), as
/// rows of one flat bit buffer: an insert is one load and one store at `row × words + id / 64`,
/// with no reference to follow per entry (an array of ``CallerBits`` took 9% more CPU for
/// `summary --by tracking-number` at 10M calls; what is left is the cache misses of 400 sets).
final class CallerBitRows {
    private let bits: FlatBuffer<UInt64>
    private let words: Int, limit: Int
    let rows: Int

    /// `capacity`: the largest id that can be inserted.
    init(rows: Int, capacity: Int) {
        self.rows = max(rows, 0)
        limit = max(capacity, 0)
        words = limit / 64 + 1
        bits = FlatBuffer(repeating: 0, count: self.rows * words)
    }

    /// Adds `id` to row `row` (ids outside `0...capacity`, rows outside `0..<rows` are ignored).
    @inline(__always)
    func insert(row: Int, _ id: Int) {
        guard id >= 0, id <= limit, row >= 0, row < rows else { return }
        bits[row &* words &+ id >> 6] |= 1 << UInt64(id & 63)
    }

    /// Asks for the word of `id` in row `row` ahead of its ``insert(row:_:)`` (ids and rows
    /// outside the set are not asked for).
    @inline(__always)
    func prefetch(row: Int, _ id: Int) {
        guard id >= 0, id <= limit, row >= 0, row < rows else { return }
        bits.prefetch(row &* words &+ id >> 6)
    }

    func count(row: Int) -> Int {
        var n = 0
        for w in (row * words)..<((row + 1) * words) { n += bits[w].nonzeroBitCount }
        return n
    }

    /// Adds every id of `other`'s rows (the same shape: the parts of one report).
    func formUnion(_ other: CallerBitRows) {
        for i in 0..<min(bits.count, other.bits.count) { bits[i] |= other.bits[i] }
    }
}
