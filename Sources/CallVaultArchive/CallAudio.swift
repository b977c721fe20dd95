import CallVaultAge
import CallVaultStore
import Foundation

/// A call's Ogg Opus audio as plaintext bytes, streamed, whether the archive keeps it as is
/// (`ID.opus`) or encrypted (`ID.opus.age`): what `serve` plays (by ranges), `export --identity`
/// writes and `verify --decrypt` hashes, so the three read encrypted files the same way.
///
/// An encrypted file is read through ``AgeRandomAccessFile``: its header is checked on opening,
/// and each read decrypts and authenticates only the 64 KiB chunks it needs.
///
/// ```swift
/// let audio = try CallAudio(path: archiveRoot + "/" + record.archivePath, identities: identities)
/// var offset = 0
/// while offset < audio.size { let bytes = try audio.read(at: offset, upTo: 65536); offset += bytes.count }
/// ```
/// Not safe to read from two tasks at once; `@unchecked Sendable` so that one response body may
/// own it (the server hands each request its own).
public final class CallAudio: @unchecked Sendable {
    /// Bytes of Ogg Opus (the plaintext's size for an encrypted file).
    public let size: Int
    /// True for an `.age` file.
    public let encrypted: Bool
    private let source: Source

    private enum Source {
        case plain(FileHandle)
        case age(AgeRandomAccessFile)
    }

    /// Why a call's audio cannot be read as plaintext; `message` names the file and the cause.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// `noMatch`: none of the identities opens the file (it is encrypted to someone else).
        public enum Kind: Sendable { case missing, needsIdentity, noMatch, refused }
        public let kind: Kind
        public let message: String
        public var description: String { message }
    }

    /// Whether the archive path names an encrypted file.
    public static func isEncrypted(_ archivePath: String) -> Bool { archivePath.hasSuffix(".age") }

    /// Opens `path`; an encrypted one needs an identity that opens it (`identities` empty:
    /// ``Failure/Kind/needsIdentity``).
    public init(path: String, identities: [AgeIdentity]) throws(Failure) {
        encrypted = CallAudio.isEncrypted(path)
        if encrypted {
            guard !identities.isEmpty else {
                throw Failure(kind: .needsIdentity, message: "\(path) is encrypted (age); an identity file is needed to read it ([encryption] identity_file or --identity)")
            }
            guard FileManager.default.fileExists(atPath: path) else { throw Failure(kind: .missing, message: "\(path): archive file missing") }
            do {
                let file = try AgeRandomAccessFile(path: path, identities: identities)
                source = .age(file)
                size = file.plaintextSize
            } catch let error as AgeError {
                throw Failure(kind: error.kind == .noMatch ? .noMatch : .refused, message: error.description)
            } catch {
                throw Failure(kind: .refused, message: "\(path): \(error)")
            }
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(kind: .missing, message: "\(path): archive file missing") }
            source = .plain(handle)
            size = Int((try? handle.seekToEnd()) ?? 0)
        }
    }

    deinit {
        if case .plain(let handle) = source { try? handle.close() }
    }

    /// Up to `count` bytes from `offset` (fewer at a chunk's end: call again); empty at the end.
    public func read(at offset: Int, upTo count: Int) throws(Failure) -> Data {
        do {
            switch source {
            case .plain(let handle):
                guard offset < size, count > 0 else { return Data() }
                try handle.seek(toOffset: UInt64(offset))
                return try handle.read(upToCount: min(count, size - offset)) ?? Data()
            case .age(let file):
                return try file.read(at: offset, upTo: count)
            }
        } catch let error as AgeError {
            throw Failure(kind: .refused, message: error.description)
        } catch {
            throw Failure(kind: .refused, message: "read failed: \(error)")
        }
    }

    /// Hands the whole plaintext to `sink` in order, chunk by chunk (constant memory).
    public func stream(_ sink: (Data) throws -> Void) throws {
        var offset = 0
        while offset < size {
            let bytes = try read(at: offset, upTo: 64 * 1024)
            guard !bytes.isEmpty else { throw Failure(kind: .refused, message: "the file ended at byte \(offset) of \(size)") }
            try sink(bytes)
            offset += bytes.count
        }
    }
}
