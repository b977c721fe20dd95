import Foundation

/// POSIX ustar, enough to stream an evidence bundle as one download (`POST /api/evidence`):
/// regular files and folders with names under 100 bytes, read back by GNU tar, bsdtar and
/// Python's tarfile.
///
/// ```swift
/// out += TarFormat.header(name: "bundle/SHA256SUMS", size: 312)
/// out += contents + TarFormat.padding(after: 312)
/// out += TarFormat.end
/// ```
public enum TarFormat {
    public static let blockSize = 512

    public struct NameTooLong: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "\(name): longer than ustar's 100 bytes" }
    }

    /// The 512-byte header of a file (`size` bytes follow) or, with `folder`, of a folder.
    public static func header(name: String, size: Int, folder: Bool = false, mtime: Date = Date()) throws -> [UInt8] {
        let nameBytes = Array((folder && !name.hasSuffix("/") ? name + "/" : name).utf8)
        guard nameBytes.count <= 100 else { throw NameTooLong(name: name) }
        var h = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) { for (i, b) in bytes.enumerated() { h[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            Array(String(value, radix: 8).leftPadded(to: width - 1).utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(folder ? 0o755 : 0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(folder ? 0 : size, width: 12), at: 124)
        put(octal(max(0, Int(mtime.timeIntervalSince1970)), width: 12), at: 136)
        put(Array(repeating: 0x20, count: 8), at: 148)
        h[156] = folder ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put(Array("ustar\0".utf8), at: 257)
        put(Array("00".utf8), at: 263)
        put(Array("callvault".utf8), at: 265)
        put(Array("callvault".utf8), at: 297)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(Array(String(sum, radix: 8).leftPadded(to: 6).utf8) + [0, 0x20], at: 148)
        return h
    }

    /// Zero bytes that complete the last block of a `size`-byte file.
    public static func padding(after size: Int) -> [UInt8] {
        let rest = size % blockSize
        return rest == 0 ? [] : [UInt8](repeating: 0, count: blockSize - rest)
    }

    /// Two zero blocks: the end of the archive.
    public static let end = [UInt8](repeating: 0, count: 2 * blockSize)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
