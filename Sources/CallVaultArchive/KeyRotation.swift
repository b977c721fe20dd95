import CallVaultAge
import CallVaultFaultInjection
import CallVaultFiles
import CallVaultStore
import Foundation

/// `callvault keys rotate`: re-encrypts every encrypted archive file (`ID.opus.age`) to new
/// recipients, reading it with the old identity, through the atomic write path.
///
/// Per file, in this order, so that a kill at any point and a rerun end as one clean run:
/// 1. if the file is not the one the index records but `.ID.opus.age.tmp-rotate` is (a run died
///    between 3 and 4), that temporary file is renamed into place: the file is rotated;
/// 2. the file is decrypted with the old identity and encrypted to the new recipients, streamed,
///    into `.ID.opus.age.tmp-rotate` (replacing any stale one), whose Opus plaintext must have
///    the recorded `opus_sha256`; it is fsynced;
/// 3. the index records the new file's SHA-256 and size (only if it still records the old file);
/// 4. the temporary file is renamed over `ID.opus.age` and the folder fsynced.
/// A file the old identity does not open, while it is the one the index records, was rotated by
/// an earlier run (or was never encrypted to that identity): it is counted, not touched. A run
/// ends with one `keys_rotated` audit entry carrying its counts.
///
/// Either backend: the index's half is a ``KeyRotationSource`` (``KeyRotationIndex`` on SQLite,
/// the PostgreSQL index's own beside it); the files, the order of the steps and so the crash
/// safety are this type's, the same for both. The calls are read `batchSize` at a time in id
/// order, so a large archive is never held in memory as a whole.
public struct KeyRotation: Sendable {
    public let source: any KeyRotationSource
    public let archiveRoot: String
    /// Calls read from the index per page.
    public var batchSize = 500

    public init(source: any KeyRotationSource, archiveRoot: String) {
        self.source = source
        self.archiveRoot = archiveRoot
    }

    /// A rotation on a SQLite index.
    public init(index: CallIndex, archiveRoot: String) {
        self.init(source: KeyRotationIndex(index: index), archiveRoot: archiveRoot)
    }

    /// What one run did.
    public struct Report: Encodable, Sendable, Equatable {
        /// Files re-encrypted to the new recipients by this run (including any finished from a
        /// run that was killed between recording and renaming).
        public var rotated = 0
        /// Files the old identity does not open: rotated by an earlier run, or never its.
        public var skipped = 0
        /// Calls whose audio is a plain `.opus` file: not encrypted, left as they are.
        public var plain = 0
        /// "ID: reason" for each file that could not be rotated (missing, altered, wrong plaintext).
        public var failed: [String] = []

        enum CodingKeys: String, CodingKey { case rotated, skipped, plain, failed }
    }

    /// The temporary name a rotation writes `final` under.
    static func temporaryPath(for final: String) -> String { AtomicFile.temporaryPath(for: final, tag: "rotate") }

    /// Rotates every encrypted file to `recipients`, opening them with `identities`; audited.
    public func run(to recipients: [AgeRecipient], identities: [AgeIdentity], by user: String) throws -> Report {
        var report = Report()
        report.plain = try source.plainFileCount()
        var after: String?
        while true {
            let page = try source.encryptedFiles(after: after, limit: max(batchSize, 1))
            for file in page {
                do {
                    switch try rotate(file, to: recipients, identities: identities) {
                    case .rotated: report.rotated += 1
                    case .skipped: report.skipped += 1
                    }
                } catch let failure as Failure {
                    report.failed.append("\(file.id): \(failure.message)")
                }
            }
            guard page.count == max(batchSize, 1), let last = page.last else { break }
            after = last.id
        }
        try source.auditRun(
            reason: report.failed.isEmpty ? "archive files re-encrypted" : "archive files re-encrypted, some failed",
            details: ["rotated": "\(report.rotated)", "skipped": "\(report.skipped)", "plain": "\(report.plain)",
                      "failed": "\(report.failed.count)", "recipients": recipients.map(\.description).joined(separator: " "),
                      "by": user])
        return report
    }

    private enum FileResult { case rotated, skipped }

    struct Failure: Error { let message: String }

    private func rotate(_ file: KeyRotationIndex.EncryptedFile, to recipients: [AgeRecipient], identities: [AgeIdentity]) throws -> FileResult {
        let final = archiveRoot + "/" + file.archivePath
        let temporary = Self.temporaryPath(for: final)
        let current = try? FileHash.sha256(path: final)
        if current?.hex != file.sha256 {
            // 1. A run recorded this file's new hash, then died before its rename.
            if (try? FileHash.sha256(path: temporary))?.hex == file.sha256 {
                try place(temporary, at: final)
                return .rotated
            }
            throw Failure(message: current == nil ? "archive file missing (\(file.archivePath))" : "archive file does not match its SHA-256; left as it is")
        }
        // 2. Decrypt with the old identity, encrypt to the new recipients, streamed.
        let audio: CallAudio
        do throws(CallAudio.Failure) { audio = try CallAudio(path: final, identities: identities) } catch {
            if error.kind == .noMatch { return .skipped }
            throw Failure(message: error.message)
        }
        var st = stat()
        let (mode, group) = stat(final, &st) == 0 ? (st.st_mode & 0o7777, st.st_gid) : (0o640, getgid())
        let output: AtomicFile
        do {
            output = try AtomicFile(path: final, mode: mode, tag: "rotate", encoder: AgeEncryptingWriter.encoder(to: recipients))
            try audio.stream { data in
                try data.withUnsafeBytes { buffer in try output.write(buffer) }
            }
        } catch let error as CallAudio.Failure {
            throw Failure(message: error.message)
        }
        let sha256 = try output.sync()
        guard output.contentSHA256 == file.opusSha256 else {
            output.discard()
            throw Failure(message: "the decrypted Opus does not match its recorded SHA-256 (opus_sha256); left as it is")
        }
        FaultInjection.point("rotate.after-encrypt")
        // 3. Record the new file, unless retention purged the call or the file changed meanwhile.
        guard try source.recordReencrypted(file, sha256: sha256, bytes: output.bytesWritten) else {
            output.discard()
            throw Failure(message: "the index changed while the file was re-encrypted (purged or replaced); left as it is")
        }
        FaultInjection.point("rotate.after-commit")
        // 4. Into place. From here the temporary file is the only copy of the recorded content.
        try output.commitRename()
        chown(final, uid_t.max, group)  // the archive_group the file had
        FaultInjection.point("rotate.after-rename")
        return .rotated
    }

    /// Renames a finished temporary file over `final` and fsyncs the folder.
    private func place(_ temporary: String, at final: String) throws {
        try FileSync.sync(temporary)
        try FileMove.rename(temporary, to: final)
        try DirectorySync.syncFolder(of: final)
    }
}
