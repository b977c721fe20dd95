import Foundation

extension PostgresJobQueue {
    /// Runs `body` (one job's work) while renewing `owner`'s lease on `job` every `interval`: the
    /// lease stays valid as long as this process runs and reaches the server. When a renewal
    /// finds the job taken over (this machine was cut off past the lease, or paused), `body` is
    /// cancelled and ``PostgresIndexError`` `.leaseLost` is thrown: the new holder owns the job.
    ///
    /// `interval` should be well under ``leaseSeconds`` (a third: two renewals may fail before
    /// the lease runs out). A failed renewal (the server unreachable for a moment) is retried at
    /// the next beat; only a renewal the server answers with "not yours" ends the work.
    ///
    /// ```swift
    /// let result = try await queue.withHeartbeat(job, owner: me, every: .seconds(40)) {
    ///     try await process(job)
    /// }
    /// ```
    public func withHeartbeat<T: Sendable>(_ job: PostgresJob, owner: String, every interval: Duration,
                                           now: @escaping @Sendable () -> Date = { Date() },
                                           _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    let renewed: Bool
                    do {
                        renewed = try await self.renew(job, owner: owner, now: now())
                    } catch let error as PostgresIndexError where error.kind == .unreachable {
                        continue
                    }
                    if !renewed {
                        throw PostgresIndexError(.leaseLost, "job \(job.id) (\(job.stem)): the lease was taken over; another worker owns the job now")
                    }
                }
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let value = finished { return value }
            }
            throw CancellationError()
        }
    }
}
