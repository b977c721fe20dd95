import NIOCore
import PostgresNIO

/// A one-dimensional array cell in PostgreSQL's binary format (`array_send`), read straight from
/// its bytes: postgres-nio's generic `[Int]` / `[String]` decoding looked up type metadata and
/// retained a buffer for every element, 14% of a year's report at 10M calls (600,000 integers of
/// quarter sums); this loop is a load and a byte swap per element.
///
/// The format: dimensions (Int32), has-nulls flag (Int32), element type (OID), then per dimension
/// its length and lower bound (Int32 each), then per element its byte length (Int32, -1 for a
/// NULL) and its bytes (integers big-endian). An empty array has no dimensions; a NULL cell (an
/// `array_agg` over no rows) is read as an empty array.
enum PostgresArrayCell {
    /// The integers of an `int2[]`, `int4[]` or `int8[]` cell.
    static func ints(_ cell: PostgresCell) throws -> [Int] {
        try elements(cell, types: [.int2, .int4, .int8]) { bytes, length in
            switch length {
            case 2: Int(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
            case 4: Int(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
            case 8: Int(Int64(bigEndian: bytes.loadUnaligned(as: Int64.self)))
            default: nil
            }
        }
    }

    /// The strings of a `text[]` or `varchar[]` cell.
    static func texts(_ cell: PostgresCell) throws -> [String] {
        try elements(cell, types: [.text, .varchar, .name, .bpchar]) { bytes, _ in
            String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Each element's bytes through `element` (nil: a length the type cannot have).
    private static func elements<T>(_ cell: PostgresCell, types: Set<PostgresDataType>,
                                    _ element: (UnsafeRawBufferPointer, Int) -> T?) throws -> [T] {
        guard let buffer = cell.bytes else { return [] }
        return try buffer.withUnsafeReadableBytes { raw -> [T] in
            var at = 0
            func int32() throws -> Int {
                guard at + 4 <= raw.count else { throw malformed(cell, "ends early") }
                defer { at += 4 }
                return Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            }
            let dimensions = try int32()
            _ = try int32()  // has nulls: each element's length says so
            let type = PostgresDataType(UInt32(truncatingIfNeeded: try int32()))
            guard dimensions != 0 else { return [] }
            guard dimensions == 1 else { throw malformed(cell, "has \(dimensions) dimensions") }
            guard types.contains(type) else { throw malformed(cell, "holds \(type), not \(types.map { "\($0)" }.sorted().joined(separator: " or "))") }
            let count = try int32()
            _ = try int32()  // lower bound
            // Each element takes at least its 4-byte length: a count beyond that is no array
            // (and is not worth a reservation).
            guard count >= 0 && count <= (raw.count - at) / 4 else { throw malformed(cell, "claims \(count) elements in \(raw.count) bytes") }
            var out: [T] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                let length = try int32()
                guard length >= 0 else { throw malformed(cell, "element \(i + 1) is NULL") }
                guard at + length <= raw.count else { throw malformed(cell, "ends early") }
                guard let value = element(UnsafeRawBufferPointer(rebasing: raw[at..<(at + length)]), length) else {
                    throw malformed(cell, "element \(i + 1) is \(length) bytes")
                }
                out.append(value)
                at += length
            }
            return out
        }
    }

    private static func malformed(_ cell: PostgresCell, _ what: String) -> PostgresIndexError {
        PostgresIndexError(.statement, "PostgreSQL index: reading report aggregates: column \(cell.columnIndex + 1)'s array \(what)")
    }
}
