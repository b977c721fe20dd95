/// A set of dense caller ids (`report_caller_ids`) as bits: adding one is a shift and an or,
/// counting them a popcount per word. A report adds a million rows' callers to a few hundred of
/// these without hashing anything.
struct CallerBits {
    private var words: [UInt64]

    /// `capacity`: the largest id expected (more grows the set).
    init(capacity: Int) { words = Array(repeating: 0, count: max(capacity, 0) / 64 + 1) }

    @inline(__always)
    mutating func insert(_ id: Int) {
        guard id >= 0 else { return }
        let w = id >> 6
        if w >= words.count { words += Array(repeating: 0, count: w - words.count + 1) }
        words[w] |= 1 << UInt64(id & 63)
    }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
