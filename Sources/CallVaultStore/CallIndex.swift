import Foundation
import GRDB

/// The SQLite index: calls, the job queue and (later) registry, holds and audit, in WAL mode.
///
/// Opening migrates the schema; a file that is not SQLite, or was written by a newer callvault,
/// is refused with a clear message and left untouched. Writers wait for each other (busy timeout)
/// rather than fail, so several `callvault run` processes can share one database.
///
/// ```swift
/// let index = try CallIndex(path: "data/callvault.sqlite")
/// let call = try index.call(id: "c0123...")
/// ```
public final class CallIndex: Sendable {
    public let path: String
    public let pool: DatabasePool

    public init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if readOnly && !exists { throw IndexError(.unusable, "\(path): no index here (run `callvault run` first)") }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.readonly = readOnly
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        // Creating a WAL database takes a lock that the busy timeout does not cover: another
        // process creating the same index at the same moment is waited for here.
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                pool = try DatabasePool(path: path, configuration: config)
                break
            } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                usleep(50_000)
            } catch let error as DatabaseError {
                throw IndexError(.unusable, "\(path): cannot open the index (\(error.message ?? "\(error.resultCode)"))")
            }
        }
        if !exists { chmod(path, 0o600) }
        do {
            let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(Schema.knownMigrations)
            if !unknown.isEmpty {
                throw IndexError(.newerSchema, "\(path): written by a newer callvault (schema \(unknown.sorted().joined(separator: ", "))); upgrade callvault")
            }
            if !readOnly { try Self.migrate(pool) }
        } catch let error as DatabaseError {
            let reason = error.resultCode == .SQLITE_NOTADB ? "not an SQLite database" : (error.message ?? "\(error.resultCode)")
            if error.resultCode == .SQLITE_READONLY {
                throw IndexError(.readOnly, "\(path): the index is read-only (\(reason))")
            }
            throw IndexError(.unusable, "\(path): cannot use the index (\(reason)); nothing was changed")
        }
    }

    /// Migrates; when another process migrates the same new index at the same moment, one of the
    /// two fails on "table already exists" (its transaction rolled back) and simply tries again.
    private static func migrate(_ pool: DatabasePool) throws {
        for attempt in 1... {
            do {
                try Schema.migrator.migrate(pool)
                return
            } catch let error as DatabaseError where attempt < 10 && error.resultCode == .SQLITE_ERROR {
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    public func call(id: String) throws -> CallRecord? {
        try pool.read { db in try CallRecord.fetchOne(db, key: id) }
    }
}
