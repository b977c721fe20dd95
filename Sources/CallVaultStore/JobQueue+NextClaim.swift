import Foundation
import GRDB

extension JobQueue {
    /// When the next unfinished job becomes claimable if nothing else happens: the earliest
    /// `available_at` of a pending job (a retry waits for it) or `lease_expires_at` of a held one
    /// (another worker's lease runs out). Nil when no job is unfinished.
    ///
    /// `run --once` sleeps until this deadline instead of polling the queue; an earlier change
    /// (a job finished, another worker died) wakes it sooner.
    public func nextClaimableAt() throws -> Date? {
        try index.pool.read { db in
            try Double.fetchOne(db, sql: """
                SELECT min(t) FROM (
                    SELECT min(available_at) AS t FROM jobs WHERE state = 'pending'
                    UNION ALL
                    SELECT min(lease_expires_at) FROM jobs WHERE state IN ('running', 'archived'))
                """).map(Date.init(timeIntervalSince1970:))
        }
    }
}
