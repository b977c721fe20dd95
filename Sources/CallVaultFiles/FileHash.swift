import Crypto
import Foundation
import SystemPackage

/// SHA-256 of a file, streamed in 64 KiB reads (memory flat whatever the size), never through a
/// symlink: the source's identity for duplicate detection (worker) and the archive's integrity
/// check (verify, and the worker's check after the rename).
///
/// ```swift
/// let digest = try FileHash.sha256(path: "/srv/archive/2026/11/29/c0f3….opus")
/// digest.hex == record.sha256
/// ```
public enum FileHash {
    /// Fails with ``FileSystemError`` naming `open` (missing, a symlink, no permission) or `read`.
    public static func sha256(path: String) throws(FileSystemError) -> (hex: String, bytes: Int) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileLocation.open(path, .readOnly, options: [.noFollow, .closeOnExec])
        } catch {
            throw .open(path, errno: FileLocation.errno(of: error))
        }
        defer { try? descriptor.close() }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0) }
            } catch {
                throw .read(path, errno: FileLocation.errno(of: error))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += n
        }
        return (hasher.finalize().hexDigits, total)
    }
}
