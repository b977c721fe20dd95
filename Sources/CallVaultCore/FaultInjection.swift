import Foundation

/// Crash points for tests: with `CALLVAULT_FAULT=NAME` (or `NAME@N` for the N-th time it is
/// reached) the process kills itself with SIGKILL at that point, exactly as a power cut or
/// `kill -9` would. Unset, a point costs one dictionary lookup done once per process.
///
/// Points: `worker.after-encode`, `worker.after-commit`, `worker.after-rename`,
/// `retention.after-audio-commit`, `retention.after-unlink`, `retention.after-record-delete`.
public enum FaultInjection {
    private static let spec: (name: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["CALLVAULT_FAULT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "@")
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()
    nonisolated(unsafe) private static var hits = 0
    private static let lock = NSLock()

    @inline(__always)
    public static func point(_ name: String) {
        guard let spec, spec.name == name else { return }
        lock.lock()
        hits += 1
        let fire = hits >= spec.count
        lock.unlock()
        if fire { kill(getpid(), SIGKILL) }
    }
}
