import Foundation

/// Threads of the worker's own for its blocking work (the transcode, the index's synchronous
/// calls), as a `TaskExecutor`: ``Worker`` runs its slots with this executor preferred, so none
/// of them holds a thread of Swift's cooperative pool (as many threads as cores: two here) while
/// it blocks.
///
/// Why: the PostgreSQL store is synchronous over postgres-nio's async client (it waits on a
/// semaphore for a task on the global executor, and the client's pool opens connections from a
/// task there too). Were the waiting slots on the cooperative pool, two slots on a 2-core machine
/// would hold both of its threads while the work they wait for needs one: a deadlock. Here they
/// wait on these threads, and the pool stays free. One thread per slot, plus the watch-mode scan
/// and one spare, so a task resumed after an `await` always finds a thread.
final class BlockingThreads: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopped` are only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init(count: Int, name: String) {
        for n in 0..<max(1, count) {
            let thread = Thread { [self] in serve() }
            thread.name = "\(name)-\(n)"
            thread.stackSize = 8 << 20  // as a main thread's: the transcode's C libraries run here
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopped {
            // Only a task that outlived the run could come here; it still runs, on a thread of its own.
            condition.unlock()
            let executor = asUnownedTaskExecutor()
            Thread { job.runSynchronously(on: executor) }.start()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once every job given so far has run.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
