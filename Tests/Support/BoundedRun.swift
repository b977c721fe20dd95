import Foundation

extension Support {
    package struct BoundedResult {
        package var status: Int32
        package var stdout: String
        package var stderr: String
        /// The child was still running at the deadline and was killed.
        package var timedOut: Bool
    }

    /// Runs a child that may crash, and returns soon after it ends, whatever its descendants do.
    ///
    /// Foundation's `Process` on Linux learns that a child ended when a socket the child inherits
    /// is closed by every process holding it — so a descendant that outlives the child keeps it
    /// "running": it is never reaped (a zombie) and `waitUntilExit` waits as long as the
    /// descendant lives. A crashing child starts such descendants (the Swift runtime's
    /// `swift-backtrace`, a sanitizer's `llvm-symbolizer`), and under AddressSanitizer the replay
    /// test waited over 9 minutes on a zombie (issue 18). Here the child is spawned with
    /// `posix_spawn` and reaped with `waitpid` directly, killed after `timeout`; its output pipes
    /// (close-on-exec, so no other child inherits them) are read for at most `grace` seconds more.
    package static func runBounded(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           timeout: TimeInterval, grace: TimeInterval = 5) throws -> BoundedResult {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // pipe2 is not imported
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let env = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL)
        }
        let stdout = Collector(outPipe[0]), stderr = Collector(errPipe[0])
        let waiter = ExitWaiter(pid)
        var timedOut = false
        if !waiter.wait(timeout) {
            timedOut = true
            kill(pid, SIGKILL)
            _ = waiter.wait(grace)
        }
        stdout.wait(grace)
        stderr.wait(grace)
        return BoundedResult(status: waiter.status ?? -1, stdout: stdout.text, stderr: stderr.text, timedOut: timedOut)
    }

    /// Reaps the child on a thread of its own so the caller can wait with a deadline.
    private final class ExitWaiter: @unchecked Sendable {
        private let lock = NSLock()
        private var raw: Int32?
        private let done = DispatchSemaphore(value: 0)

        init(_ pid: pid_t) {
            Thread.detachNewThread { [self] in
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                lock.withLock { raw = status }
                done.signal()
            }
        }

        func wait(_ seconds: TimeInterval) -> Bool {
            guard done.wait(timeout: .now() + seconds) == .success else { return false }
            done.signal()
            return true
        }

        /// The exit code, or 128 + the signal that ended the child (as a shell reports it).
        var status: Int32? {
            lock.withLock { raw.map { $0 & 0x7f == 0 ? ($0 >> 8) & 0xff : 128 + ($0 & 0x7f) } }
        }
    }

    /// Reads a pipe on a thread of its own until end of file; the caller takes what came so far.
    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    lock.withLock { data.append(contentsOf: buffer[0..<n]) }
                }
                // Closed only once read to the end; a pipe a descendant still holds stays open.
                close(fd)
                done.signal()
            }
        }

        func wait(_ seconds: TimeInterval) { _ = done.wait(timeout: .now() + seconds) }

        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
