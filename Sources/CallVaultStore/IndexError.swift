/// A problem opening or using the index, worded for an operator.
public struct IndexError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        case unusable, newerSchema, readOnly, lostLease
        /// The disk holding the index is full: an environment failure (exit 1), not bad input.
        case storageFull
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

import GRDB

extension IndexError {
    /// True when SQLite reports a full disk or a read-only database: the environment is at fault.
    /// Why the index could not be written, for a message: SQLite's words, with the cause named
    /// first when it is a full disk (SQLITE_FULL says only "database or disk is full").
    public static func storageReason(_ error: Error) -> String {
        guard let db = error as? DatabaseError, db.resultCode == .SQLITE_FULL else { return "\(error)" }
        return "the disk holding the index is full (No space left on device; \(db))"
    }

    public static func isStorageExhausted(_ error: Error) -> Bool {
        guard let db = error as? DatabaseError else { return false }
        return db.resultCode == .SQLITE_FULL || db.resultCode == .SQLITE_READONLY || db.extendedResultCode == .SQLITE_IOERR_WRITE
    }
}
