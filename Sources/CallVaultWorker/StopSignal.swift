import Foundation
import Synchronization

/// Set by SIGINT/SIGTERM: workers finish the job in hand, claim no more, and the run exits cleanly.
/// `@unchecked`: the dispatch sources are only appended to in `installHandlers()` and only kept alive.
public final class StopSignal: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }
    public func set() { flag.store(true, ordering: .releasing) }

    /// Routes SIGINT and SIGTERM to this flag. A second signal exits at once with the shell's
    /// convention for that signal: 130 after SIGINT, 143 after SIGTERM (the README's exit table).
    /// The jobs in hand are left to the exactly-once protocol, like a kill -9.
    public func installHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                if isSet { exit(128 + sig) }
                set()
                FileHandle.standardError.write(Data("\ncallvault: stopping after the jobs in hand (signal again to exit now)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }
}
