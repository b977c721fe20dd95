import Logging
import PostgresNIO

/// One statement's rows, read by one thread at a time (each call waits for its rows).
final class RowStream: @unchecked Sendable {
    /// The work named in errors.
    let step: String
    var iterator: PostgresRowSequence.AsyncIterator?
    /// Rows taken ahead by ``drain()``, handed out first.
    private var taken: [PostgresRow] = []
    private var takenFrom = 0

    init(step: String = "reading report aggregates") { self.step = step }

    /// Sends `query` on `connection` and reads nothing yet: ``next(_:)`` takes its rows.
    func start(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) throws {
        let step = step
        try PostgresBlocking.wait { [self] in
            do { iterator = try await connection.query(query, logger: logger).makeAsyncIterator() }
            catch { throw PostgresIndexError.wrap(error, step: step) }
        }
    }

    /// Up to `size` rows (fewer: the last).
    func next(_ size: Int) throws -> [PostgresRow] {
        if takenFrom < taken.count {
            let rows = Array(taken[takenFrom..<min(taken.count, takenFrom + size)])
            takenFrom += rows.count
            if rows.count == size || iterator == nil { return rows }
            return rows + (try next(size - rows.count))
        }
        guard iterator != nil else { return [] }
        return try PostgresBlocking.wait { [self] in
            var rows: [PostgresRow] = []
            rows.reserveCapacity(size)
            do {
                while rows.count < size, let row = try await iterator?.next() { rows.append(row) }
            } catch { throw PostgresIndexError.wrap(error, step: step) }
            if rows.count < size { iterator = nil }
            return rows
        }
    }

    /// Reads the rest of the statement into memory, so the connection can take another.
    func drain() throws {
        while iterator != nil {
            let rows = try PostgresBlocking.wait { [self] in
                var rows: [PostgresRow] = []
                do { while let row = try await iterator?.next() { rows.append(row) } }
                catch { throw PostgresIndexError.wrap(error, step: step) }
                iterator = nil
                return rows
            }
            taken += rows
        }
    }
}
