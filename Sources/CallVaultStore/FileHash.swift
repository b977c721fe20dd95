import CallVaultCore
import Crypto
import Foundation

/// SHA-256 of a file, streamed in 64 KiB reads, never through a symlink: the source's identity
/// for duplicate detection (worker) and the archive's integrity check (verify).
public enum FileHash {
    public struct Failure: Error, Sendable {
        /// `open` or `read`.
        public var operation: String
        public var errno: Int32
        public var reason: String { String(cString: strerror(errno)) }
    }

    public static func sha256(path: String) throws(Failure) -> (hex: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open", errno: errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", errno: errno)
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += n
        }
        return (hasher.finalize().hexString, total)
    }
}
