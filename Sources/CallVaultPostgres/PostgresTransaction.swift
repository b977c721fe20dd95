import Logging
import PostgresNIO

/// One PostgreSQL transaction held open for the worker's synchronous ingest steps
/// (``PostgresQueueStore``'s `Transaction`): a task on the global executor leases a connection,
/// begins, and waits (suspended, holding no thread) for the worker thread to decide; each step
/// runs its statements on that connection through ``PostgresBlocking``.
public final class PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `body`'s statements on the transaction's connection and waits for them.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        let connection = connection, logger = logger
        do {
            return try PostgresBlocking.wait { try await body(connection, logger) }
        } catch {
            // The connection's own errors come as postgres-nio's: worded here as the pool's are.
            throw PostgresIndexError.wrap(error, step: "a statement of the worker's transaction")
        }
    }

    /// Runs `body` synchronously inside one transaction of `index`: committed when it returns,
    /// rolled back when it throws. The caller must not be a thread of the cooperative pool (see
    /// ``PostgresBlocking``).
    static func within<T>(_ index: PostgresIndex, step: String, _ body: (PostgresTransaction) throws -> T) throws -> T {
        let connection = OneShot<Result<PostgresConnection, any Error>>()
        let decision = AsyncDecision()
        let finished = OneShot<Result<Void, any Error>>()
        Task(executorPreference: globalConcurrentExecutor) {
            do {
                try await index.transaction(step) { leased in
                    connection.provide(.success(leased))
                    guard await decision.value() else { throw RolledBack() }
                }
                finished.provide(.success(()))
            } catch {
                connection.provide(.failure(error))  // ignored when the connection was given
                finished.provide(.failure(error))
            }
        }
        let transaction = PostgresTransaction(connection: try connection.wait().get(), logger: index.logger)
        let value: T
        do {
            value = try body(transaction)
        } catch {
            decision.decide(false)
            _ = finished.wait()
            throw error
        }
        decision.decide(true)
        try finished.wait().get()
        return value
    }

    /// Thrown inside the transaction to roll it back when a step failed (the step's own error is
    /// what the caller sees).
    private struct RolledBack: Error {}
}
