import Foundation

/// Tells `run --once` when another process may have changed the queue, so that a slot waiting for
/// other workers' jobs wakes when they commit or die rather than polling the index.
///
/// inotify on two folders: the index's (a write to the database or its `-wal`: another worker
/// committed) and the lease folder (a lock file closed after writing, or removed: a worker exited or
/// was killed; ``LeaseOwner/isAlive(_:)`` opens others' locks read-only, so it raises no event).
/// Reads of the index touch only `-shm`, so a slot's own look at the queue does not wake it.
/// Without inotify (another kernel) the waits fall back to their deadlines.
final class IndexWatch {
    private let source: DispatchSourceRead?

    init(databasePath: String, leaseFolder: String, onChange: @escaping @Sendable () -> Void) {
        let fd = inotify_init1(Int32(O_NONBLOCK | O_CLOEXEC))
        guard fd >= 0 else {
            source = nil
            return
        }
        let database = (databasePath as NSString).lastPathComponent
        let folder = (databasePath as NSString).deletingLastPathComponent
        let indexFolder = inotify_add_watch(fd, folder.isEmpty ? "." : folder, UInt32(IN_MODIFY))
        let leases = inotify_add_watch(fd, leaseFolder, UInt32(IN_CLOSE_WRITE | IN_DELETE))
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 8192)
            var relevant = false
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                for (watch, name) in Self.events(buffer[0..<n]) {
                    if watch == leases || (watch == indexFolder && (name == database || name == database + "-wal")) { relevant = true }
                }
            }
            if relevant { onChange() }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
        self.source = source
    }

    func stop() { source?.cancel() }

    /// `(watch descriptor, name)` of each `struct inotify_event` in `bytes`.
    static func events(_ bytes: ArraySlice<UInt8>) -> [(Int32, String)] {
        var events: [(Int32, String)] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 16 <= raw.count {
                let watch = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = raw[(offset + 16)..<min(offset + 16 + length, raw.count)].prefix { $0 != 0 }
                events.append((watch, String(decoding: nameBytes, as: UTF8.self)))
                offset += 16 + length
            }
        }
        return events
    }
}
