import CSndFile
import CallVaultFiles
import Foundation

/// Reads audio with libsndfile, block by block, as interleaved 32-bit floats in [-1, 1].
///
/// Formats with a header (WAV, AIFF, AU, FLAC, Ogg Vorbis, MP3...) are recognised by it; the
/// headerless formats phone switches write are chosen by extension (see ``RawFormat``), unless the
/// file starts with a known header (see ``FileSignature``): a WAV renamed `.ulaw` is then read by
/// its header, with a note in ``warnings``, rather than as µ-law noise. Owns the `SNDFILE*` and closes it in `deinit`.
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
    /// The audio was coded as GSM 06.10 (WAV or headerless): the DTMF detector reads it with its GSM profile.
    public let isGSM610: Bool
    /// What the reader noticed about the file, e.g. an extension that contradicts the header.
    public private(set) var warnings: [String] = []
    private let handle: OpaquePointer
    public private(set) var framesRead = 0

    public init(path: String) throws {
        self.path = path
        var info = SF_INFO()
        let raw = RawFormat(path: path)
        var st = stat()
        guard stat(path, &st) == 0 else {
            let failure = FileSystemError.stat(path, errno: errno)
            throw AudioError(.unreadableInput, path: path, "cannot open (\(failure.reason))", errno: failure.errnoCode)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw AudioError(.unreadableInput, path: path, "not a regular file")
        }
        if st.st_size == 0 {
            throw AudioError(.unreadableInput, path: path, "empty file (0 bytes)")
        }
        var signature: FileSignature?
        if let claimed = raw {
            signature = FileSignature.detect(try Self.prefix(of: path, length: FileSignature.prefixLength))
            if signature == nil {
                info.samplerate = Int32(claimed.sampleRate)
                info.channels = 1
                info.format = Int32(claimed.sndfileFormat)
            }
        }
        let opened = sf_open(path, Int32(SFM_READ), &info)
        if let signature, let claimed = raw, opened == nil || info.format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_RAW) {
            // libsndfile falls back on the extension for a header it does not know (`.gsm` as raw GSM):
            // that would be noise again.
            let reason = opened == nil ? String(cString: sf_strerror(nil)) : "no header it knows"
            if let opened { sf_close(opened) }
            throw AudioError(.unreadableInput, path: path,
                             "named as \(claimed.name) but starts with \(signature.rawValue) that libsndfile cannot read (\(reason)); not decoded as \(claimed.name)")
        }
        guard let handle = opened else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioError(.unreadableInput, path: path, "not a recognised audio file (libsndfile: \(reason))")
        }
        self.handle = handle
        self.sampleRate = Int(info.samplerate)
        self.channels = Int(info.channels)
        self.declaredFrames = Self.declaredFrames(frames: Int(info.frames), log: Self.log(of: handle))
        self.formatName = Self.describe(format: info.format, handle: handle)
        self.isGSM610 = info.format & Int32(SF_FORMAT_SUBMASK) == Int32(SF_FORMAT_GSM610)
        if let signature, let claimed = raw {
            warnings.append("named as \(claimed.name) but starts with \(signature.rawValue): decoded by its header as \(formatName)")
        }
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

    /// The first `length` bytes of the file (fewer when it is shorter).
    private static func prefix(of path: String, length: Int) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let failure = FileSystemError.open(path, errno: errno)
            throw AudioError(.unreadableInput, path: path, "cannot open (\(failure.reason))", errno: failure.errnoCode)
        }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, length, file) }
        return Array(bytes[0..<n])
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
