import CallVaultFiles
import Foundation

/// An advisory `flock` beside the database, one per job name, held for the whole job run:
/// a second overlapping run (the next cron tick on a slow night) waits or gives up clearly.
public final class JobLock: Sendable {
    public let path: String
    private let lock: AdvisoryLock

    /// Nil when another process holds it and `wait` is false, or still holds it after `timeout`
    /// seconds. While waiting, `waiting(holder, seconds)` is called at once and then every
    /// `reportEvery` seconds, so a blocked run says who it waits for.
    public init?(databasePath: String, job: String, wait: Bool, timeout: Double? = nil, reportEvery: Double = 30,
                 waiting: (_ holder: String?, _ seconds: Double) -> Void = { _, _ in }) throws {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        path = databasePath + ".job-" + String(safe) + ".lock"
        do throws(FileSystemError) {
            lock = try AdvisoryLock(path: path, creatingWith: 0o600)
        } catch {
            throw WorkerError.configuration("cannot open the job lock \(path): \(error.reason)")
        }
        let start = Date()
        var nextReport = 0.0
        while true {
            let locked: Bool
            do throws(FileSystemError) {
                locked = try lock.tryLock()
            } catch {
                throw WorkerError.configuration("cannot lock \(path): \(error.reason)")
            }
            if locked { break }
            let waited = Date().timeIntervalSince(start)
            if !wait || (timeout.map { waited >= $0 } ?? false) { return nil }
            if waited >= nextReport {
                waiting(Self.holder(databasePath: databasePath, job: job), waited)
                nextReport = waited + reportEvery
            }
            usleep(100_000)
        }
        lock.replaceContents(with: "\(getpid())\n")
    }

    /// The pid written by whoever holds the lock, for the message; nil when that process no
    /// longer exists (the pid is stale: the holder had not written its own yet).
    public static func holder(databasePath: String, job: String) -> String? {
        let safe = job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        guard let text = (try? String(contentsOfFile: databasePath + ".job-" + String(safe) + ".lock", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines), let pid = pid_t(text) else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? text : nil
    }
}
