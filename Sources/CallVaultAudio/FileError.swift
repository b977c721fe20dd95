import Foundation

/// A failed system call on a named path: `write .../x.opus: No space left on device`.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }

    /// True when the device is full or over quota: the environment, not the input, is at fault.
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }
}
