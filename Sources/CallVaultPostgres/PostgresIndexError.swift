import PostgresNIO

/// A problem reaching or using the PostgreSQL index, worded for an operator: the step, the
/// server's own message and SQLSTATE, never a password.
public struct PostgresIndexError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached, or refused the login.
        case unreachable
        /// A statement failed.
        case statement
        /// The index was migrated by a newer callvault: this one does not know its schema.
        case newerSchema
        /// A heartbeat found the job's lease taken over.
        case leaseLost
        /// The password file or ~/.pgpass could not be used.
        case credentials
    }

    public var kind: Kind
    public var message: String
    /// The server's SQLSTATE when it answered with an error (`23505` unique violation, `P0001` raise).
    public var sqlState: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String { message }

    /// `error` from postgres-nio, as `step: cause`. PSQLError's own description hides the
    /// server's message on purpose (it may hold data); the server's message and SQLSTATE are
    /// what an operator needs, and what is shown here.
    static func wrap(_ error: any Error, step: String) -> PostgresIndexError {
        if let e = error as? PostgresIndexError { return e }
        guard let psql = error as? PSQLError else {
            return PostgresIndexError(.statement, "PostgreSQL index: \(step): \(error)")
        }
        if let info = psql.serverInfo, let message = info[.message] {
            let state = info[.sqlState]
            let detail = info[.detail].map { " (\($0))" } ?? ""
            // 08: connection exception; 28: invalid authorisation (wrong password, no such role).
            let kind: Kind = state.map { $0.hasPrefix("28") || $0.hasPrefix("08") || $0 == "3D000" } == true ? .unreachable : .statement
            return PostgresIndexError(kind, "PostgreSQL index: \(step): \(message)\(detail) [SQLSTATE \(state ?? "?")]", sqlState: state)
        }
        let cause = psql.underlying.map { "\(psql.code): \($0)" } ?? "\(psql.code)"
        return PostgresIndexError(.unreachable, "PostgreSQL index: \(step): \(cause)")
    }
}
