import Foundation

/// This process's identity in job leases, and the proof that it is alive.
///
/// Each worker process holds an exclusive `flock` on `DB.leases/OWNER.lock` for its lifetime;
/// the kernel drops it when the process dies, even by SIGKILL. Another worker that can take the
/// lock knows the owner is dead and reclaims its jobs at once instead of waiting for the lease.
public final class LeaseOwner: Sendable {
    public let name: String
    /// The random part of ``name``: tells this process's temporary files from another's.
    public let instance: String
    public let folder: String
    private let fd: Int32

    public init(databasePath: String) throws {
        folder = databasePath + ".leases"
        // 0700 and its lock files 0600 whatever the umask: owner names carry host and pid.
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw WorkerError.configuration("cannot create the lease folder \(folder): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if lstat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid(), st.st_mode & 0o077 != 0 {
            chmod(folder, 0o700)
        }
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        instance = String(UUID().uuidString.prefix(8).lowercased())
        name = "\(host):\(getpid()):\(instance)"
        let path = folder + "/" + name + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { fchmod(fd, 0o600) }
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw WorkerError.configuration("cannot create the lease lock \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        unlink(folder + "/" + name + ".lock")
        close(fd)
    }

    /// False when `owner`'s lock file is gone or can be locked (its process has died).
    public func isAlive(_ owner: String) -> Bool {
        if owner == name { return true }
        guard !owner.contains("/") else { return false }
        let path = folder + "/" + owner + ".lock"
        // Read-only: closing it raises no IN_CLOSE_WRITE, which IndexWatch reads as an owner's exit.
        let other = open(path, O_RDONLY | O_CLOEXEC)
        if other < 0 { return false }
        defer { close(other) }
        if flock(other, LOCK_EX | LOCK_NB) == 0 {
            unlink(path)
            return false
        }
        return true
    }
}
