import Foundation

/// Runs synchronous work that waits on the PostgreSQL client (``PostgresBlocking``: a report scan,
/// an erasure, an evidence bundle) on a thread of its own, never on the cooperative pool that the
/// client's own tasks need — the CLI's commands and the web application's routes alike.
public enum PostgresOwnThread {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
