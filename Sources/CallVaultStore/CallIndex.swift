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
        if !readOnly { Self.restrictModes(path, create: !exists) }
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
                if let full = Self.storageFull(path, error) { throw full }
                throw IndexError(.unusable, "\(path): cannot open the index (\(error.message ?? "\(error.resultCode)"))")
            }
        }
        if !exists { chmod(path, 0o600) }
        if !readOnly { Self.restrictModes(path, create: false) }
        do {
            let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(Schema.knownMigrations)
            if !unknown.isEmpty {
                throw IndexError(.newerSchema, "\(path): written by a newer callvault (schema \(unknown.sorted().joined(separator: ", "))); upgrade callvault")
            }
            if !readOnly { try Self.migrate(pool) }
        } catch let error as DatabaseError {
            if let full = Self.storageFull(path, error) { throw full }
            let reason = error.resultCode == .SQLITE_NOTADB ? "not an SQLite database" : (error.message ?? "\(error.resultCode)")
            if error.resultCode == .SQLITE_READONLY {
                throw IndexError(.readOnly, "\(path): the index is read-only (\(reason))")
            }
            throw IndexError(.unusable, "\(path): cannot use the index (\(reason)); nothing was changed")
        }
    }

    /// SQLite says "disk I/O error" when it cannot grow the `-shm` of a full disk: name the cause.
    private static func storageFull(_ path: String, _ error: DatabaseError) -> IndexError? {
        var fs = statvfs()
        let folder = (path as NSString).deletingLastPathComponent
        let noSpace = statvfs(folder.isEmpty ? "." : folder, &fs) == 0 && fs.f_bavail == 0
        guard error.resultCode == .SQLITE_FULL || (error.resultCode == .SQLITE_IOERR && noSpace) else { return nil }
        return IndexError(.storageFull, "\(path): the disk holding the index is full (No space left on device); "
                          + "nothing was changed: free some space and run again")
    }

    /// The index holds callers' numbers: what SQLite creates beside it must not be more open than
    /// the index itself (0600 for an index callvault creates), whatever the umask. SQLite gives a
    /// new `-wal`/`-shm` the mode of the database file, so a new index is created empty at 0600
    /// before SQLite opens it; leftovers more open than the index (an older version's) are narrowed
    /// to the index's mode. An existing index's own mode is the operator's choice and kept.
    private static func restrictModes(_ path: String, create: Bool) {
        if create {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 { fchmod(fd, 0o600); close(fd) }
        }
        var index = stat()
        guard lstat(path, &index) == 0, (index.st_mode & S_IFMT) == S_IFREG else { return }
        let allowed = index.st_mode & 0o777
        for file in [path + "-wal", path + "-shm", path + "-journal"] {
            var st = stat()
            if lstat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid(), st.st_mode & 0o777 & ~allowed != 0 {
                chmod(file, allowed)
            }
        }
    }

    /// Migrates; when another process migrates the same new index at the same moment, one of the
    /// two fails on "table already exists" (its transaction rolled back) and simply tries again.
    /// Several processes opening a new index at once (two `run` workers started together) race:
    /// each reads the applied migrations, then one applies a migration while the other waits on the
    /// lock and, once in, finds its tables there (SQLITE_ERROR) or its identifier recorded
    /// (SQLITE_CONSTRAINT on grdb_migrations). Each migration is one transaction, so the loser's
    /// rolled back whole: it reads the applied list again and goes on from there.
    private static func migrate(_ pool: DatabasePool) throws {
        for attempt in 1... {
            do {
                try Schema.migrator.migrate(pool)
                return
            } catch let error as DatabaseError where attempt < 10 && (error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_CONSTRAINT) {
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    /// Copies the WAL back into the index (passive: never waits for readers). Throws when SQLite
    /// cannot write the index file (made immutable, I/O error): the WAL would grow without end
    /// and the failure would otherwise go unnoticed. A checkpoint left partial by busy readers is fine.
    public func checkpoint() throws {
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return
        } catch let error as DatabaseError {
            throw IndexError(.unusable, "\(path): the index cannot be checkpointed (\(error.message ?? "\(error.resultCode)")); its -wal file keeps growing")
        }
    }

    /// This index's applied schema migrations, in the order this build applies them.
    public func appliedMigrations() throws -> [String] {
        let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
        return Schema.migrator.migrations.filter(applied.contains)
    }

    public func call(id: String) throws -> CallRecord? {
        try pool.read { db in try CallRecord.fetchOne(db, key: id) }
    }
}
