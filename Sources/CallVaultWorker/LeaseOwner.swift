import CallVaultFiles
import Foundation

/// This process's identity in job leases, and the proof that it is alive.
///
/// Each worker process holds an exclusive `flock` on `DB.leases/OWNER.lock` for its lifetime;
/// the kernel drops it when the process dies, even by SIGKILL. Another worker that can take the
/// lock knows the owner is dead and reclaims its jobs at once instead of waiting for the lease.
///
/// On PostgreSQL the queue is shared by machines whose lock files this one cannot see (`flock`
/// does not span machines): owners on other hosts are taken for alive, and their jobs come back
/// only when their leases expire (``init(folder:otherHostsAlive:)``).
public final class LeaseOwner: Sendable {
    public let name: String
    /// The random part of ``name``: tells this process's temporary files from another's.
    public let instance: String
    public let folder: String
    private let lock: AdvisoryLock
    /// This machine's name as it starts ``name`` (`HOST:PID:INSTANCE`).
    private let host: String
    private let otherHostsAlive: Bool

    /// The SQLite index's lease folder, `DB.leases`: every worker sharing the index sees it.
    public convenience init(databasePath: String) throws {
        try self.init(folder: databasePath + ".leases", otherHostsAlive: false)
    }

    /// Lock files in `folder` (a local folder of this machine for a PostgreSQL queue); with
    /// `otherHostsAlive`, ``isAlive(_:)`` judges only owners of this host.
    public init(folder: String, otherHostsAlive: Bool) throws {
        self.folder = folder
        self.otherHostsAlive = otherHostsAlive
        // 0700 and its lock files 0600 whatever the umask: owner names carry host and pid.
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw WorkerError.configuration("cannot create the lease folder \(folder): \(FileSystemError.mkdir(folder, errno: errno).reason)")
        }
        var st = stat()
        if lstat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid(), st.st_mode & 0o077 != 0 {
            chmod(folder, 0o700)
        }
        host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        instance = String(UUID().uuidString.prefix(8).lowercased())
        name = "\(host):\(getpid()):\(instance)"
        let path = folder + "/" + name + ".lock"
        do throws(FileSystemError) {
            lock = try AdvisoryLock(path: path, creatingWith: 0o600)
            // A fresh random name: nobody else can hold it, so only an error says no.
            guard try lock.tryLock() else { throw FileSystemError.lock(path, errno: EWOULDBLOCK) }
        } catch {
            throw WorkerError.configuration("cannot create the lease lock \(path): \(error.reason)")
        }
    }

    /// Removes the lock file, then (as the stored lock goes) closes it, which drops the lock.
    deinit {
        unlink(folder + "/" + name + ".lock")
    }

    /// False when `owner`'s lock file is gone or can be locked (its process has died).
    public func isAlive(_ owner: String) -> Bool {
        if owner == name { return true }
        if otherHostsAlive, owner.split(separator: ":", maxSplits: 1).first.map(String.init) != host { return true }
        guard !owner.contains("/") else { return false }
        let path = folder + "/" + owner + ".lock"
        // Read-only: closing it raises no IN_CLOSE_WRITE, which IndexWatch reads as an owner's exit.
        guard let other = try? AdvisoryLock(path: path, readOnly: true) else { return false }
        if (try? other.tryLock()) == true {
            unlink(path)
            return false
        }
        return true
    }
}
