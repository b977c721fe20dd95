/// An audio failure that names the file, the step and the cause, e.g.
/// `call.wav: not a recognised audio file (libsndfile: Format not recognised.)`.
public struct AudioError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The input cannot be read as audio: the job is permanently bad.
        case unreadableInput
        /// The output could not be written (disk, permissions): worth retrying.
        case outputFailed
        /// A codec or resampler refused its parameters.
        case codec
    }

    public var kind: Kind
    public var path: String
    public var message: String
    /// The POSIX errno behind an output failure, when there was one.
    public var errno: Int32?

    public init(_ kind: Kind, path: String, _ message: String, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(fileName): \(message)" }

    /// The last component of the path: what an operator recognises in a message.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
}
