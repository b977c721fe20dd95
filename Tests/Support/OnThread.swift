import Foundation

/// Runs `body` on a thread of its own and awaits its result: for code that waits synchronously on
/// an async client (PostgreSQL's readers wait through `PostgresBlocking`, as under the CLI), which
/// must never run on a thread of Swift's cooperative pool.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
