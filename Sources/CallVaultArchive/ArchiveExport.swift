import CallVaultAge
import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation

/// `export`: copies calls' Opus files out of the archive under readable names
/// (``CallRecord/exportFileName``), each copy checked against the SHA-256 in the index before it
/// gets its name, so a damaged archive file is never handed out as the call. An encrypted file
/// (`ID.opus.age`) is copied as stored (`NAME.opus.age`, checked against `sha256`), or, given
/// identities, decrypted as it is copied (`NAME.opus`, checked against `opus_sha256`).
///
/// ```swift
/// let export = ArchiveExport(index: index, archiveRoot: "/srv/callvault/archive")
/// switch try export.copy("c1a2b3…", to: "/tmp/qa") {
/// case .copied(let path): print(path)
/// case .refused(let reason): print(reason)
/// }
/// ```
public struct ArchiveExport: Sendable {
    /// The call with this archive id, read from the index (SQLite's or PostgreSQL's); nil when none.
    public let call: @Sendable (String) throws -> CallRecord?
    public let archiveRoot: String

    /// An export reading its calls through `call` (a PostgreSQL index's synchronous reader, say).
    public init(archiveRoot: String, call: @escaping @Sendable (String) throws -> CallRecord?) {
        self.call = call
        self.archiveRoot = archiveRoot
    }

    public init(index: CallIndex, archiveRoot: String) {
        self.init(archiveRoot: archiveRoot) { try index.call(id: $0) }
    }

    /// What became of one requested call.
    public enum Copy: Sendable, Equatable {
        /// The copy is in place at this path.
        case copied(String)
        /// Nothing was written; the sentence says why (naming the call).
        case refused(String)
    }

    /// Copies the call with archive id or call_id `id` into `folder` (decrypting an encrypted file
    /// with `identities` when given); throws only for what is not this call's problem (the index
    /// unreadable, an unexpected failure).
    public func copy(_ id: String, to folder: String, identities: [AgeIdentity]? = nil) throws -> Copy {
        let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
        guard let r = try call(key) else { return .refused("no call \(id.debugDescription)") }
        if let purgedAt = r.audioPurgedAt {
            return .refused("\(r.id): audio \(r.purgeNote(purgedAt)); nothing to export")
        }
        let source = archiveRoot + "/" + r.archivePath
        if let identities, CallAudio.isEncrypted(r.archivePath) {
            return try decryptingCopy(r, source: source, to: folder, identities: identities)
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            return .refused("\(r.id): archive file missing (\(source)); `callvault verify` reports it")
        }
        let destination = folder + "/" + r.exportFileName + (CallAudio.isEncrypted(r.archivePath) ? ".age" : "")
        var st = stat()
        if lstat(destination, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            return .refused("\(r.id): \(destination) already exists and is not a regular file (a folder or a link); not exported")
        }
        do {
            let copy = try AtomicFile(path: destination, mode: 0o644)
            try copy.write(Array(data))
            let digest = try copy.sync()
            guard digest == r.sha256 else {
                copy.discard()
                return .refused("\(r.id): archive file does not match its SHA-256; not exported")
            }
            do { try copy.commitRename() } catch {
                unlink(copy.temporaryPath)  // an export copy is not the only copy: leave nothing behind
                throw error
            }
            return .copied(destination)
        } catch let error as FileSystemError {
            return .refused("\(r.id): cannot write the copy: \(Self.words(error))")
        }
    }

    /// The Opus plaintext of an encrypted file, streamed chunk by chunk into a temporary file that
    /// gets its name only when its SHA-256 is the record's `opus_sha256`.
    private func decryptingCopy(_ r: CallRecord, source: String, to folder: String, identities: [AgeIdentity]) throws -> Copy {
        let destination = folder + "/" + r.exportFileName
        var st = stat()
        if lstat(destination, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            return .refused("\(r.id): \(destination) already exists and is not a regular file (a folder or a link); not exported")
        }
        let audio: CallAudio
        do throws(CallAudio.Failure) { audio = try CallAudio(path: source, identities: identities) } catch {
            return .refused("\(r.id): \(error.message)")
        }
        do {
            let copy = try AtomicFile(path: destination, mode: 0o644)
            do {
                try audio.stream { data in
                    try data.withUnsafeBytes { buffer in try copy.write(buffer) }
                }
            } catch let error as CallAudio.Failure {
                copy.discard()
                return .refused("\(r.id): \(error.message); not exported")
            }
            let digest = try copy.sync()
            guard digest == r.opusSha256 else {
                copy.discard()
                return .refused("\(r.id): the decrypted Opus does not match its recorded SHA-256 (opus_sha256); not exported")
            }
            do { try copy.commitRename() } catch {
                unlink(copy.temporaryPath)
                throw error
            }
            return .copied(destination)
        } catch let error as FileSystemError {
            return .refused("\(r.id): cannot write the copy: \(Self.words(error))")
        }
    }

    /// `rename`'s EISDIR and friends as a sentence.
    static func words(_ error: FileSystemError) -> String {
        switch error.errnoCode {
        case EISDIR: "\(error.path) is a folder; not overwritten"
        case EACCES, EPERM: "permission denied writing \(error.path)"
        case ENOSPC, EDQUOT: "the destination disk is full (\(error.path))"
        default: error.description
        }
    }
}
