import CSndFile
import Foundation

/// Reads audio with libsndfile, block by block, as interleaved 32-bit floats in [-1, 1].
///
/// Formats with a header (WAV, AIFF, AU, FLAC, Ogg Vorbis, MP3...) are recognised by it; the
/// headerless formats phone switches write are chosen by extension (see ``RawFormat``).
/// Owns the `SNDFILE*` and closes it in `deinit`.
///
/// ```swift
/// let reader = try AudioReader(path: "call.wav")
/// var block = [Float](repeating: 0, count: 4096 * reader.channels)
/// while case let n = try reader.read(into: &block, frames: 4096), n > 0 { ... }
/// ```
public final class AudioReader {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    /// Frames the header declares (libsndfile's estimate for MP3 and similar).
    public let declaredFrames: Int
    /// Container and encoding as libsndfile names them, e.g. `WAV (Microsoft) / U-Law`.
    public let formatName: String
    private let handle: OpaquePointer
    public private(set) var framesRead = 0

    public init(path: String) throws {
        self.path = path
        var info = SF_INFO()
        let raw = RawFormat(path: path)
        if let raw {
            info.samplerate = Int32(raw.sampleRate)
            info.channels = 1
            info.format = Int32(raw.sndfileFormat)
        }
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw AudioError(.unreadableInput, path: path, "cannot open (\(String(cString: strerror(errno))))", errno: errno)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw AudioError(.unreadableInput, path: path, "not a regular file")
        }
        if st.st_size == 0 {
            throw AudioError(.unreadableInput, path: path, "empty file (0 bytes)")
        }
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioError(.unreadableInput, path: path, "not a recognised audio file (libsndfile: \(reason))")
        }
        self.handle = handle
        self.sampleRate = Int(info.samplerate)
        self.channels = Int(info.channels)
        self.declaredFrames = Self.declaredFrames(frames: Int(info.frames), log: Self.log(of: handle))
        self.formatName = Self.describe(format: info.format, handle: handle)
        guard sampleRate >= 1000, sampleRate <= 384_000, channels >= 1, channels <= 255 else {
            sf_close(handle)
            throw AudioError(.unreadableInput, path: path,
                             "unsupported audio parameters (\(info.samplerate) Hz, \(info.channels) channels)")
        }
    }

    deinit { sf_close(handle) }

    /// Reads up to `frames` frames into `buffer` (interleaved, `frames * channels` floats); returns the count, 0 at the end.
    public func read(into buffer: inout [Float], frames: Int) throws -> Int {
        precondition(buffer.count >= frames * channels)
        let n = buffer.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(frames)) }
        if n < 0 { throw AudioError(.unreadableInput, path: path, "read failed (libsndfile: \(lastError))") }
        if n == 0, sf_error(handle) != 0 {
            throw AudioError(.unreadableInput, path: path, "decoding failed (libsndfile: \(lastError))")
        }
        framesRead += Int(n)
        return Int(n)
    }

    private var lastError: String { String(cString: sf_strerror(handle)) }

    private static func log(of handle: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 8192)
        sf_command(handle, Int32(SFC_GET_LOG_INFO), &buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The frame count the header declared. libsndfile shortens `frames` to what a truncated WAV
    /// holds and notes `data : 258880 (should be 59956)` in its log; scale by that ratio.
    static func declaredFrames(frames: Int, log: String) -> Int {
        for line in log.split(separator: "\n") where line.hasPrefix("data") && line.contains("should be") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if numbers.count >= 2, numbers[1] > 0, numbers[0] > numbers[1] {
                return Int(Double(frames) * Double(numbers[0]) / Double(numbers[1]))
            }
        }
        return frames
    }

    private static func describe(format: Int32, handle: OpaquePointer) -> String {
        func name(_ code: Int32) -> String? {
            var info = SF_FORMAT_INFO()
            info.format = code
            let ok = sf_command(handle, Int32(SFC_GET_FORMAT_INFO), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0
            return ok && info.name != nil ? String(cString: info.name) : nil
        }
        let major = name(format & Int32(SF_FORMAT_TYPEMASK)) ?? "unknown container"
        let sub = name(format & Int32(SF_FORMAT_SUBMASK)) ?? "unknown encoding"
        return "\(major) / \(sub)"
    }
}
