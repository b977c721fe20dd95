import CPrefetch

/// A fixed-size array of plain values in memory it owns, for the per-entry loops of the caller
/// reports (ten million turns at 10M calls).
///
/// Why not `[T]`: a report's loop runs in a closure (one call per quarter of ``CallerPacks``), and
/// an array variable captured and written there is boxed and checked for uniqueness on every
/// write — that check was most of the time of `report callers` at 10M. A class holding the
/// buffer in a `let` is captured as one reference and written in place.
///
/// Indexes are the caller's to check (the loops compare ids with the size read with the keys):
/// the subscript checks them only in debug builds, as `UnsafeMutableBufferPointer` does.
final class FlatBuffer<Element: BitwiseCopyable> {
    let buffer: UnsafeMutableBufferPointer<Element>
    var count: Int { buffer.count }

    init(repeating value: Element, count: Int) {
        buffer = .allocate(capacity: max(count, 0))
        buffer.initialize(repeating: value)
    }

    deinit { buffer.deallocate() }

    /// Asks for element `i`'s cache line ahead of a write (see `CPrefetch`); `i` must be in the buffer.
    @inline(__always)
    func prefetch(_ i: Int) {
        callvault_prefetch_for_write(buffer.baseAddress! + i)
    }

    @inline(__always)
    subscript(i: Int) -> Element {
        get { buffer[i] }
        set { buffer[i] = newValue }
    }
}
