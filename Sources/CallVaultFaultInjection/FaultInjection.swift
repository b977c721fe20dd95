import Foundation

/// Crash points for tests: with `CALLVAULT_FAULT=NAME` (or `NAME@N` for the N-th time it is
/// reached) the process kills itself with SIGKILL at that point, exactly as a power cut or
/// `kill -9` would. Unset, a point costs one dictionary lookup done once per process.
///
/// With `CALLVAULT_FAULT_WAIT=NAME:PATH` the process instead pauses the first time it reaches
/// NAME: it creates `PATH.reached` and waits until `PATH` exists (at most 10 minutes), so a test
/// can line up two workers on one job in a chosen order.
///
/// Points: `worker.after-encode`, `worker.after-commit`, `worker.after-rename`, `retention.before-apply`,
/// `retention.after-audio-commit`, `retention.after-unlink`, `retention.after-record-delete`,
/// `erase.after-audio-commit`, `erase.after-unlink`, `erase.after-record-delete`, `db-migrate.after-batch`.
public enum FaultInjection {
    private static let spec: (name: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["CALLVAULT_FAULT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "@")
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()
    nonisolated(unsafe) private static var hits = 0
    private static let lock = NSLock()

    private static let wait: (name: String, gate: String)? = {
        guard let value = ProcessInfo.processInfo.environment["CALLVAULT_FAULT_WAIT"],
              let colon = value.firstIndex(of: ":") else { return nil }
        return (String(value[..<colon]), String(value[value.index(after: colon)...]))
    }()
    nonisolated(unsafe) private static var waited = false

    @inline(__always)
    public static func point(_ name: String) {
        if let wait, wait.name == name { pause(at: wait.gate) }
        guard let spec, spec.name == name else { return }
        lock.lock()
        hits += 1
        let fire = hits >= spec.count
        lock.unlock()
        if fire { kill(getpid(), SIGKILL) }
    }

    private static func pause(at gate: String) {
        lock.lock()
        let first = !waited
        waited = true
        lock.unlock()
        guard first else { return }
        FileManager.default.createFile(atPath: gate + ".reached", contents: nil)
        for _ in 0..<12_000 where !FileManager.default.fileExists(atPath: gate) { usleep(50_000) }
    }
}
