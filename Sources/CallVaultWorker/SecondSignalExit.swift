import Foundation
import ServiceLifecycle
import UnixSignals

/// The README's exit table for a run: the first SIGINT or SIGTERM shuts the ServiceGroup down
/// gracefully (the jobs in hand finish); a second one exits at once with the shell's convention for
/// that signal, 130 after SIGINT and 143 after SIGTERM. The jobs in hand are then left to the
/// exactly-once protocol, as after a kill -9.
///
/// First in the group, so it is the last service told to shut down: it keeps counting signals
/// while the worker finishes its jobs.
public struct SecondSignalExit: Service {
    public init() {}

    public func run() async throws {
        var caught = false
        for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm).cancelOnGracefulShutdown() {
            if caught { exit(128 + signal.rawValue) }
            caught = true
        }
    }
}
