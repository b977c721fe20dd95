import Foundation

/// Work on a thread of its own, started at once, its result taken by ``join()``: the second part
/// of a caller pass (``AggregateSource/countCallerEntries(_:_:make:splitBefore:)``), or a report's
/// other reads (the per-quarter rows, the first calls) while both parts of the pass run, so the
/// two cores share all of a report's work instead of one waiting through the reads before and
/// after the pass.
///
/// The work (and what it writes) is touched by that thread alone until `join` has waited for
/// it, hence the unchecked sendability.
///
/// ```swift
/// let (quarters, callers) = try PartThread.both(
///     on: { try index.pool.read { db in try source.quarters(db) } },   // a thread of its own
///     here: { try countCallers() })                                     // meanwhile, this thread
/// ```
final class PartThread<Value>: @unchecked Sendable {
    private let work: () throws -> Value
    private var result: Result<Value, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> Value) {
        self.work = work
        let thread = Thread { [self] in
            result = Result { try self.work() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the work; its value, or the error it threw.
    func join() throws -> Value {
        done.wait()
        return try result!.get()
    }

    /// `elsewhere` on a thread of its own while `here` runs on this one; both values, or the
    /// first error, thrown only once both have ended (no work is left running).
    static func both<Here>(on elsewhere: @escaping () throws -> Value, here: () throws -> Here) throws -> (Value, Here) {
        let other = PartThread(elsewhere)
        let mine = Result { try here() }
        let theirs = try other.join()
        return (theirs, try mine.get())
    }
}
