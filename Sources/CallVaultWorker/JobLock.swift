import Foundation

/// An advisory `flock` beside the database, one per job name, held for the whole job run:
/// a second overlapping run (the next cron tick on a slow night) waits or gives up clearly.
public final class JobLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Nil when another process holds it and `wait` is false, or still holds it after `timeout`
    /// seconds. While waiting, `waiting(holder, seconds)` is called at once and then every
    /// `reportEvery` seconds, so a blocked run says who it waits for.
    public init?(databasePath: String, job: String, wait: Bool, timeout: Double? = nil, reportEvery: Double = 30,
                 waiting: (_ holder: String?, _ seconds: Double) -> Void = { _, _ in }) throws {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        path = databasePath + ".job-" + String(safe) + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WorkerError.configuration("cannot open the job lock \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let start = Date()
        var nextReport = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            guard e == EWOULDBLOCK else {
                close(fd)
                throw WorkerError.configuration("cannot lock \(path): \(String(cString: strerror(e)))")
            }
            let waited = Date().timeIntervalSince(start)
            if !wait || (timeout.map { waited >= $0 } ?? false) {
                close(fd)
                return nil
            }
            if waited >= nextReport {
                waiting(Self.holder(databasePath: databasePath, job: job), waited)
                nextReport = waited + reportEvery
            }
            usleep(100_000)
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }

    /// The pid written by whoever holds the lock, for the message; nil when that process no
    /// longer exists (the pid is stale: the holder had not written its own yet).
    public static func holder(databasePath: String, job: String) -> String? {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        guard let text = (try? String(contentsOfFile: databasePath + ".job-" + String(safe) + ".lock", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines), let pid = pid_t(text) else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? text : nil
    }
}
