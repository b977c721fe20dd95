import CallVaultAge
import CallVaultAudio
import CallVaultCore
import CallVaultFaultInjection
import CallVaultFiles
import CallVaultStore
import Foundation
import Logging

/// Turns one claimed job into an archived, indexed call, or a quarantined pair, exactly once.
///
/// The order of effects is what makes a crash at any point recoverable:
/// 1. the Opus file is written under `.ID.opus.tmp-jobN-C-OWNER` (job N, claim C, this process)
///    and fsynced: two holders of one job (a lease taken over) never share a temporary file;
/// 2. one transaction (``commit(_:job:)``) checks the lease, attributes the call, stamps its retention
///    dates, inserts the record (with the file's SHA-256) and marks the job `archived`;
/// 3. the file is renamed to `ID.opus` inside a transaction that holds SQLite's write lock after
///    checking the lease (so a stale holder's late rename never lands), and its folder fsynced;
/// 4. the final file is hashed again: only when it has the recorded SHA-256 do the inputs leave
///    `incoming/` (sidecar first); then the job is `done`.
/// A job claimed again after a crash resumes: with its record committed it puts the file in place
/// (the final file already right, or an earlier claim's temporary file with the recorded SHA-256,
/// or, when neither exists, a new encoding of the inputs whose hash and size replace the record's
/// in the transaction of the rename) and completes 4; if the inputs are gone or changed too, the
/// job is quarantined with whatever inputs remain, never `done` without its file.
/// Without a committed record it starts over under a new temporary name.
/// With `[encryption] recipients` the file is `ID.opus.age`, encrypted as it is written (the same
/// temporary name, fsync and rename): every step above holds with the stored file's SHA-256, and
/// the record also keeps the plaintext Opus's (`opus_sha256`).
struct CallProcessor: Sendable {
    let settings: WorkerSettings
    let spool: Spool
    let archive: Archive
    /// The index, through what the worker needs of it (``JobQueue`` for SQLite).
    let queue: any QueueStore
    let owner: LeaseOwner
    let logger: Logger
    let clock: @Sendable () -> Date

    /// Processes `job`; throws only ``WorkerError/environment(_:)``, which stops the run.
    func process(_ job: Job) throws -> JobResult {
        do {
            return try attempt(job)
        } catch let error {
            let failure = classify(error)
            switch failure {
            case .badInput(let reason):
                return try quarantine(job, reason: reason)
            case .transient(let reason):
                if job.attempts + 1 >= settings.maxAttempts {
                    return try quarantine(job, reason: "\(reason) (gave up after \(job.attempts + 1) attempts)")
                }
                let delay = Double(1 << min(job.attempts, 6))
                try queue.retry(job, owner: owner.name, error: reason, retryAt: clock().addingTimeInterval(delay), now: clock())
                logger.warning("job will be retried", metadata: ["stem": "\(job.stem)", "error": "\(reason)", "in_s": "\(delay)"])
                return .deferred(reason: reason)
            case .leaseLost:
                logger.warning("job left to the worker that took it over", metadata: ["stem": "\(job.stem)", "error": "\(failure.description)"])
                return .deferred(reason: failure.description)
            case .environment(let reason), .configuration(let reason):
                try? queue.release(job, owner: owner.name, reason: reason, now: clock())
                throw WorkerError.environment(reason)
            }
        }
    }

    private func attempt(_ job: Job) throws -> JobResult {
        let sidecarPath = spool.incomingPath(spool.sidecarName(job.stem))
        let audioPath = spool.incomingPath(job.audioName)

        // A previous claim committed the record: the file must be put in place, then the clean-up.
        if let recordID = job.recordID, let record = try queue.call(id: recordID) {
            try placeCommittedFile(record: record, job: job)
            // The inputs still in incoming/ must be the ones this record was made from: anything else
            // is kept (quarantined), never deleted as if it were archived.
            if exists(audioPath), try sourceDigest(audioPath).hex != record.sourceSha256 {
                throw WorkerError.badInput("\(job.audioName) is not the audio that \(record.id) was archived from (it was replaced after the commit); kept in failed/ so nothing is lost")
            }
            try removeInputs(job)
            try queue.markDone(job, owner: owner.name, recordID: record.id, note: nil, now: clock())
            return .archived(id: record.id, audioMs: record.durationMs, bytesIn: record.sourceBytes, bytesOut: record.bytes)
        }
        if job.claims > settings.maxClaims {
            throw WorkerError.badInput("the worker stopped \(job.claims - 1) times while processing \(job.audioName) (a crash or a kill each time); quarantined so the batch can go on")
        }
        if !exists(sidecarPath) {
            if exists(spool.failed + "/" + spool.sidecarName(job.stem)) {
                return try quarantine(job, reason: job.lastError ?? "quarantined")
            }
            throw WorkerError.badInput("\(job.stem).json disappeared from incoming/ before it was processed")
        }
        try requireRegularFile(sidecarPath)
        try requireRegularFile(audioPath)

        let sidecar: Sidecar
        do {
            sidecar = try Sidecar.parse(try readSidecar(sidecarPath))
        } catch let error as SidecarError {
            throw WorkerError.badInput("\(job.stem).json: \(error.message)")
        }
        if let problem = settings.plausibleTimes.problem(with: sidecar.startedAt, now: clock()) {
            throw WorkerError.badInput("\(job.stem).json: \(problem)")
        }
        if !sidecar.redactedFields.isEmpty {
            // The parse already replaced the values: only the file and the field names are said.
            logger.warning("payment card number replaced by \(PaymentCardNumber.replacement)", metadata: [
                "stem": "\(job.stem)", "file": "\(spool.sidecarName(job.stem))",
                "fields": "\(sidecar.redactedFields.joined(separator: ", "))"])
        }
        let callID = sidecar.callID ?? job.stem
        let id = RecordID.make(callID: callID)
        let before = try fileIdentity(audioPath)
        let source = try sourceDigest(audioPath)

        if let existing = try queue.call(id: id) {
            guard existing.sourceSha256 == source.hex else {
                throw WorkerError.badInput("call_id \(callID.debugDescription) was already archived as \(id) with different audio")
            }
            // The inputs are the only other copy: keep them until the archived one is in place. When
            // the job that made the record can no longer do it (it was quarantined), this pair puts
            // the file back (encoded from the same audio, checked by its source SHA-256).
            if existing.audioPurgedAt == nil && !hasRecordedContent(archive.absolute(existing.archivePath), sha256: existing.sha256) {
                guard try queue.recordJobsFinished(recordID: id) else {
                    throw WorkerError.transient("\(job.stem) duplicates \(id), whose archive file is not in place (yet); the inputs are kept")
                }
                try placeCommittedFile(record: existing, job: job)
                logger.warning("archive file restored from another delivery of the same call", metadata: ["stem": "\(job.stem)", "id": "\(id)"])
            }
            removeOtherTemporaries(of: job, final: archive.absolute(existing.archivePath))
            try removeInputs(job)
            try queue.markDone(job, owner: owner.name, recordID: id, note: "duplicate of \(id)", now: clock())
            logger.info("duplicate recognised", metadata: ["stem": "\(job.stem)", "id": "\(id)"])
            return .duplicate(id: id)
        }

        let relative = Archive.relativePath(id: id, startedAt: sidecar.startedAt, encrypted: !settings.recipients.isEmpty)
        try archive.prepareFolders(for: relative)
        let (output, result) = try encode(job: job, sidecar: sidecar, id: id, callID: callID, relative: relative, before: before)
        let sha256 = try output.sync()
        FaultInjection.point("worker.after-encode")
        let record = RecordBuilder.record(
            id: id, callID: callID, sidecar: sidecar, analysis: result.analysis, sourceName: job.audioName,
            archivePath: relative, sha256: sha256, opusSha256: output.contentSHA256 ?? sha256, bytes: output.bytesWritten, source: source,
            defaultCountryCode: settings.defaultCountryCode, now: clock())
        switch try commit(record, job: job) {
        case .leaseLost: throw WorkerError.leaseLost
        case .alreadyArchived: throw WorkerError.transient("\(id) was archived by another job meanwhile; this one will be checked as a duplicate")
        case .committed: break
        }
        FaultInjection.point("worker.after-commit")
        guard try queue.placeArchiveFile(job, owner: owner.name, recordID: id, replacing: nil, now: clock(),
                                         rename: { try output.commitRename() }) else {
            throw WorkerError.leaseLost
        }
        archive.applyGroup(relative)
        FaultInjection.point("worker.after-rename")
        try requireRecordedContent(record)
        removeOtherTemporaries(of: job, final: archive.absolute(relative))
        try removeInputs(job)
        try queue.markDone(job, owner: owner.name, recordID: id, note: nil, now: clock())
        logger.info("archived", metadata: [
            "stem": "\(job.stem)", "id": "\(id)", "outcome": "\(record.outcome.rawValue)",
            "duration_ms": "\(record.durationMs)", "bytes": "\(record.bytes)", "path": "\(relative)",
        ])
        return .archived(id: id, audioMs: record.durationMs, bytesIn: source.bytes, bytesOut: output.bytesWritten)
    }

    /// The one ingest transaction (see ``IngestTransaction``).
    private func commit(_ record: CallRecord, job: Job) throws -> CommitResult {
        try IngestTransaction.commit(record, job: job, owner: owner.name, retention: settings.retention, now: clock(), in: queue)
    }

    /// Encodes the audio of `job` to a temporary file of this claim (`.ID.opus.tmp-jobN-C-OWNER`),
    /// renewing the lease as it goes; the file is not yet synced.
    private func encode(job: Job, sidecar: Sidecar, id: String, callID: String, relative: String,
                        before: [Int]) throws -> (AtomicFile, TranscodeResult) {
        let audioPath = spool.incomingPath(job.audioName)
        var options = settings.transcode
        options.roles = sidecar.channels
        options.redact = sidecar.redact
        options.serial = Int32(bitPattern: UInt32(strtoul(String(id.dropFirst().prefix(8)), nil, 16)))
        options.comments += ["CALLVAULT_ID=\(id)", "CALLVAULT_CALL_ID=\(callID)"]
        let output = try AtomicFile(path: archive.absolute(relative), mode: archive.fileMode, tag: temporaryTag(job),
                                    encoder: try encryption(for: relative))
        var lastRenewal = clock()
        let leaseSeconds = queue.leaseSeconds
        let result = try Transcoder.run(input: audioPath, output: output, options: options) { _ in
            let now = clock()
            if now.timeIntervalSince(lastRenewal) > leaseSeconds / 4 {
                guard try queue.renew(job, owner: owner.name, now: now) else { throw WorkerError.leaseLost }
                lastRenewal = now
            }
        }
        if let problem = ChannelRoles.mismatch(sidecar.channels, channels: result.analysis.channels) {
            throw WorkerError.badInput("\(job.stem).json and \(job.audioName): \(problem)")
        }
        // A file still being written (or replaced) while we read it would be archived half.
        guard try fileIdentity(audioPath) == before else {
            throw WorkerError.transient("\(job.audioName) changed while it was being read; it will be read again")
        }
        return (output, result)
    }

    /// The encryption an archive path asks for: none for `ID.opus`, the configured recipients for
    /// `ID.opus.age` (a record committed encrypted is put back encrypted, whatever the config says now).
    private func encryption(for relative: String) throws -> ContentEncoderFactory? {
        guard relative.hasSuffix(".age") else { return nil }
        guard !settings.recipients.isEmpty else {
            throw WorkerError.configuration("\(relative) was archived encrypted but [encryption] recipients is not set: the file cannot be written again without them")
        }
        return AgeEncryptingWriter.encoder(to: settings.recipients)
    }

    /// Unique per claim: job id, claim number and this process's lease instance.
    private func temporaryTag(_ job: Job) -> String { "job\(job.id!)-\(job.claims)-\(owner.instance)" }

    /// A committed job resumed after a crash or a lease takeover: makes `ID.opus` exist with the
    /// recorded SHA-256, or throws (never lets the inputs go without it).
    private func placeCommittedFile(record: CallRecord, job: Job) throws {
        let final = archive.absolute(record.archivePath)
        if record.audioPurgedAt != nil || hasRecordedContent(final, sha256: record.sha256) {
            removeOtherTemporaries(of: job, final: final)
            return
        }
        // An earlier claim's fsynced temporary file with exactly the committed content: rename it.
        for candidate in temporaries(of: final) where hasRecordedContent(candidate, sha256: record.sha256) {
            guard (try? FileSync.sync(candidate)) != nil else { continue }
            let placed = try queue.placeArchiveFile(job, owner: owner.name, recordID: record.id, replacing: nil, now: clock()) {
                try FileMove.rename(candidate, to: final)
                try DirectorySync.syncFolder(of: final)
            }
            guard placed else { throw WorkerError.leaseLost }
            archive.applyGroup(record.archivePath)
            try requireRecordedContent(record)
            removeOtherTemporaries(of: job, final: final)
            logger.info("archive file put in place from an earlier attempt", metadata: ["stem": "\(job.stem)", "id": "\(record.id)"])
            return
        }
        // Neither: encode the inputs again, if they are still the audio that was committed.
        let sidecarPath = spool.incomingPath(spool.sidecarName(job.stem))
        let audioPath = spool.incomingPath(job.audioName)
        let lost = "the archive file of \(record.id) (\(record.archivePath)) is missing and no complete temporary file is left"
        guard exists(sidecarPath), exists(audioPath) else {
            throw WorkerError.badInput("\(lost), and the inputs \(job.stem).json/\(job.audioName) are no longer in incoming/; quarantined, whatever inputs remain kept in failed/")
        }
        try requireRegularFile(audioPath)
        let sidecar: Sidecar
        do {
            sidecar = try Sidecar.parse(try readSidecar(sidecarPath))
        } catch let error as SidecarError {
            throw WorkerError.badInput("\(lost), and \(job.stem).json no longer parses: \(error.message)")
        }
        let before = try fileIdentity(audioPath)
        guard try sourceDigest(audioPath).hex == record.sourceSha256 else {
            throw WorkerError.badInput("\(lost), and \(job.audioName) is no longer the audio that was archived; quarantined with the inputs kept")
        }
        try archive.prepareFolders(for: record.archivePath)
        let (output, _) = try encode(job: job, sidecar: sidecar, id: record.id, callID: record.callID,
                                     relative: record.archivePath, before: before)
        let sha256 = try output.sync()
        let placed = try queue.placeArchiveFile(job, owner: owner.name, recordID: record.id,
                                                replacing: (sha256, output.bytesWritten, output.contentSHA256 ?? sha256), now: clock()) {
            try output.commitRename()
        }
        guard placed else { throw WorkerError.leaseLost }
        archive.applyGroup(record.archivePath)
        var updated = record
        updated.sha256 = sha256
        updated.bytes = output.bytesWritten
        updated.opusSha256 = output.contentSHA256 ?? sha256
        try requireRecordedContent(updated)
        removeOtherTemporaries(of: job, final: final)
        logger.warning("archive file was missing; encoded again from the inputs", metadata: [
            "stem": "\(job.stem)", "id": "\(record.id)", "same_bytes": "\(sha256 == record.sha256)"])
    }

    /// Hashes the final file: the inputs may go only when it is there with the recorded SHA-256.
    private func requireRecordedContent(_ record: CallRecord) throws {
        let final = archive.absolute(record.archivePath)
        guard hasRecordedContent(final, sha256: record.sha256) else {
            throw WorkerError.transient("\(record.archivePath) is not in place with its recorded SHA-256 after the rename; the inputs are kept")
        }
    }

    private func hasRecordedContent(_ path: String, sha256: String) -> Bool {
        (try? FileHash.sha256(path: path).hex) == sha256
    }

    /// The source's SHA-256 for duplicate detection: a source that cannot be opened is bad input
    /// (quarantined at once), a failed read may pass (retried).
    private func sourceDigest(_ path: String) throws -> (hex: String, bytes: Int) {
        do throws(FileSystemError) {
            return try FileHash.sha256(path: path)
        } catch {
            if error.syscall == "open" { throw WorkerError.badInput("\(fileName(path)): cannot open (\(error.reason))") }
            throw WorkerError.transient("\(fileName(path)): read failed (\(error.reason))")
        }
    }

    /// The last component of the path: what an operator recognises in a message.
    private func fileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// `.ID.opus.tmp-*` beside `final`, whoever wrote them.
    private func temporaries(of final: String) -> [String] {
        let folder = (final as NSString).deletingLastPathComponent
        let prefix = "." + (final as NSString).lastPathComponent + ".tmp-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map { folder + "/" + $0 }
    }

    /// Deletes temporary files of this job's claims (this one and earlier ones, including the
    /// `.ID.opus.tmp-jobN` of older versions). Only the lease holder calls it, so no other claim
    /// of this job can still commit or rename one of them.
    private func removeOtherTemporaries(of job: Job, final: String) {
        let mine = "." + (final as NSString).lastPathComponent + ".tmp-job\(job.id!)"
        for path in temporaries(of: final) {
            let name = (path as NSString).lastPathComponent
            if name == mine || name.hasPrefix(mine + "-") { unlink(path) }
        }
    }

    /// An earlier claim that died mid-encode left `.ID.opus.tmp-jobN-…`; a quarantined job will not
    /// come back to replace it, so delete it (found from the record, or the sidecar when it still parses).
    private func removeTemporaryOutput(of job: Job) {
        if let recordID = job.recordID, let record = try? queue.call(id: recordID) {
            removeOtherTemporaries(of: job, final: archive.absolute(record.archivePath))
            return
        }
        guard let data = try? readSidecar(spool.incomingPath(spool.sidecarName(job.stem))),
              let sidecar = try? Sidecar.parse(data) else { return }
        // Plain or encrypted: the config may have changed since that claim.
        for encrypted in [false, true] {
            let relative = Archive.relativePath(id: RecordID.make(callID: sidecar.callID ?? job.stem), startedAt: sidecar.startedAt, encrypted: encrypted)
            removeOtherTemporaries(of: job, final: archive.absolute(relative))
        }
    }

    /// Deletes the pair from `incoming/` (or moves it to `done/`), sidecar first so it is never seen as ready again.
    private func removeInputs(_ job: Job) throws {
        for name in [spool.sidecarName(job.stem), job.audioName] {
            let path = spool.incomingPath(name)
            guard exists(path) else { continue }
            if settings.keepOriginals {
                try moveWithoutReplacing(path, into: spool.done, name: name, step: "move to done/")
            } else {
                try FileMove.remove(path)
            }
        }
        try DirectorySync.syncFolder(of: spool.incomingPath("x"))
    }

    /// Moves `path` to `folder/name`, or `folder/name.1`, `.2`… when an earlier pair of the same
    /// stem is there: a re-delivered stem never overwrites the files kept from the first one.
    private func moveWithoutReplacing(_ path: String, into folder: String, name: String, step: String) throws {
        do throws(FileSystemError) {
            try FileMove.withoutReplacing(path, into: folder, name: name)
        } catch {
            throw error.during(step)
        }
    }

    /// Moves the pair to `failed/` beside `STEM.error.json`, then marks the job failed.
    private func quarantine(_ job: Job, reason: String) throws -> JobResult {
        try queue.noteError(job, owner: owner.name, error: reason, now: clock())
        removeTemporaryOutput(of: job)
        for name in [spool.sidecarName(job.stem), job.audioName] {
            let path = spool.incomingPath(name)
            if exists(path) || isSymlink(path) {
                try moveWithoutReplacing(path, into: spool.failed, name: name, step: "move to failed/")
            }
        }
        try spool.writeErrorReport(for: job.stem, reason: reason, attempts: job.attempts + 1, at: clock(),
                                   extra: ["stem": job.stem, "audio": job.audioName, "sidecar": spool.sidecarName(job.stem)])
        try queue.markFailed(job, owner: owner.name, error: reason, now: clock())
        logger.error("quarantined", metadata: ["stem": "\(job.stem)", "error": "\(reason)"])
        return .quarantined(reason: reason)
    }

    private func classify(_ error: Error) -> WorkerError {
        switch error {
        case let e as WorkerError: return e
        case let e as AudioError:
            switch e.kind {
            case .unreadableInput, .codec: return .badInput(e.description)
            case .outputFailed: return .transient(e.description)
            }
        case let e as FileSystemError:
            if e.isOutOfSpace || e.isReadOnly { return .environment(e.description) }
            return .transient(e.description)
        default:
            if IndexError.isStorageExhausted(error) { return .environment("the index cannot be written: \(IndexError.storageReason(error))") }
            if queue.isUnavailable(error) { return .environment("the index cannot be reached: \(error)") }
            return .transient("\(error)")
        }
    }

    private func readSidecar(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let failure = FileSystemError.open(path, errno: errno)
            throw WorkerError.badInput("\(fileName(path)): cannot open (\(failure.reason))")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let data = try handle.read(upToCount: Sidecar.Limits.fileBytes + 1) ?? Data()
        if data.count > Sidecar.Limits.fileBytes {
            throw WorkerError.badInput("\(fileName(path)): sidecar is larger than the \(Sidecar.Limits.fileBytes)-byte limit")
        }
        return data
    }

    private func requireRegularFile(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            let failure = FileSystemError.lstat(path, errno: errno)
            throw WorkerError.badInput("\(fileName(path)) disappeared from incoming/ (\(failure.reason))")
        }
        let type = st.st_mode & S_IFMT
        if type == S_IFLNK { throw WorkerError.badInput("\(fileName(path)) is a symlink; callvault only reads regular files") }
        if type != S_IFREG { throw WorkerError.badInput("\(fileName(path)) is not a regular file") }
    }

    /// Size, modification time and inode: what changes when a file is written to or replaced.
    private func fileIdentity(_ path: String) throws -> [Int] {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw WorkerError.badInput("\(fileName(path)) disappeared from incoming/ while it was being read")
        }
        return [Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_ino)]
    }

    private func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFLNK
    }

    private func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }
}
