import Foundation

/// An advisory `flock` beside the database, one per job name, held for the whole job run:
/// a second overlapping run (the next cron tick on a slow night) waits or gives up clearly.
public final class JobLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Nil when another process holds it and `wait` is false.
    public init?(databasePath: String, job: String, wait: Bool) throws {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        path = databasePath + ".job-" + String(safe) + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WorkerError.configuration("cannot open the job lock \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            close(fd)
            if errno == EWOULDBLOCK { return nil }
            throw WorkerError.configuration("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }

    /// The pid written by whoever holds the lock, for the message.
    public static func holder(databasePath: String, job: String) -> String? {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return (try? String(contentsOfFile: databasePath + ".job-" + String(safe) + ".lock", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
