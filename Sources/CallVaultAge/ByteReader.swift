import Foundation

/// Buffered reads from any source of bytes (a file, a `Data`), for the header's lines and the
/// payload's chunks. Memory stays bounded by the largest request.
public struct ByteReader {
    private let source: (Int) throws -> [UInt8]
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Bytes handed out so far (lines with their LF, reads): where the next byte is in the source.
    public private(set) var consumed = 0

    /// `source(n)` returns up to `n` bytes, and an empty array only at the end.
    public init(source: @escaping (Int) throws -> [UInt8]) {
        self.source = source
    }

    public init(data: Data) {
        var offset = data.startIndex
        self.init { n in
            let end = min(offset + n, data.endIndex)
            defer { offset = end }
            return Array(data[offset..<end])
        }
    }

    public init(fileHandle: FileHandle) {
        self.init { n in
            do {
                return try fileHandle.read(upToCount: n).map { Array($0) } ?? []
            } catch {
                throw AgeError(.io, "read failed: \(error.localizedDescription)")
            }
        }
    }

    private var available: Int { buffer.count - position }

    /// Reads from the source until `count` bytes are buffered or the source ends.
    private mutating func fill(_ count: Int) throws {
        while available < count && !atEnd {
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            let more = try source(max(count - available, 64 * 1024))
            if more.isEmpty { atEnd = true } else { buffer += more }
        }
    }

    /// The next line without its LF; nil at the end of input. Throws a header failure when the
    /// input ends inside a line or a line exceeds `limit` bytes.
    mutating func readLine(limit: Int) throws -> [UInt8]? {
        var scanned = 0
        while true {
            if let index = buffer[(position + scanned)...].firstIndex(of: 0x0a) {
                let line = Array(buffer[position..<index])
                guard line.count < limit else { throw AgeError(.header, "header longer than \(AgeHeader.maximumLength) bytes") }
                position = index + 1
                consumed += line.count + 1
                return line
            }
            scanned = available
            guard scanned < limit else { throw AgeError(.header, "header longer than \(AgeHeader.maximumLength) bytes") }
            if atEnd {
                if available == 0 { return nil }
                throw AgeError(.header, "the header ends inside a line")
            }
            try fill(available + 1)
        }
    }

    /// Up to `count` bytes; fewer only at the end of input.
    public mutating func read(upTo count: Int) throws -> [UInt8] {
        try fill(count)
        let n = min(count, available)
        defer { position += n; consumed += n }
        return Array(buffer[position..<(position + n)])
    }
}
