import Crypto
import Foundation

/// SHA-256 of a file, streamed in 64 KiB reads (the source's identity for duplicate detection).
enum FileDigest {
    static func sha256(path: String) throws -> (hex: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw WorkerError.badInput("\(name(path)): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WorkerError.transient("\(name(path)): read failed (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += n
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), total)
    }

    static func name(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
}
