import CallVaultAge
import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation

/// An evidence bundle: calls handed over with their records and audit trail in a form anyone can
/// check (`callvault export --bundle DIR`, and the web application's evidence download).
///
/// The folder holds `audio/ID.opus` (decrypted with the identities when the archive file is an
/// age file, else as stored), `manifest.json` (each record as `query --format json` prints it,
/// with its bundled file's SHA-256), `audit.json` and `audit.csv` (every audit entry naming any of
/// the calls, accesses included), `verify.json` (each archive file hashed now against the index,
/// and the audit chain), `index.html` (all of it readable offline: no script, no network) and
/// `SHA256SUMS` over every other file (`sha256sum -c SHA256SUMS` passes).
///
/// It is built in a hidden temporary folder beside DIR and renamed into place last, so DIR holds a
/// whole bundle or nothing. The export is audited (`access`, kind `export`) before the rename,
/// with the SHA-256 of the bundle's `SHA256SUMS` as the entry's `sha256`: the audit log names
/// exactly the bundle that was handed out.
///
/// The index is read through an ``EvidenceSource`` (SQLite's ``EvidenceIndex`` or the PostgreSQL
/// index's), so a bundle is the same from either backend; `write` is synchronous, so with a
/// PostgreSQL source it runs on a thread of its own.
///
/// ```swift
/// let bundle = EvidenceBundle(index: index, archiveRoot: root, identities: [])
/// let result = try bundle.write(ids: ["c1a2…"], selection: "ids", to: "/tmp/case-114", by: "ana", via: "cli")
/// ```
public struct EvidenceBundle: Sendable {
    public let source: any EvidenceSource
    public let archiveRoot: String
    public let identities: [AgeIdentity]

    public init(source: any EvidenceSource, archiveRoot: String, identities: [AgeIdentity]) {
        self.source = source
        self.archiveRoot = archiveRoot
        self.identities = identities
    }

    /// A bundle from a SQLite index.
    public init(index: CallIndex, archiveRoot: String, identities: [AgeIdentity]) {
        self.init(source: EvidenceIndex(index: index), archiveRoot: archiveRoot, identities: identities)
    }

    /// Why a bundle could not be written (nothing is left at DIR).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// What was written.
    public struct Result: Sendable {
        public var folder: String
        public var calls: Int
        public var files: [String]
        /// Calls whose audio is not in the bundle, with why (purged, missing, altered, cannot decrypt).
        public var problems: [String]
        /// SHA-256 of `SHA256SUMS`, as the audit entry records it.
        public var sumsSHA256: String
        public var unknownIDs: [String]
    }

    /// One file as `verify.json` reports it.
    struct Check: Encodable {
        var id: String
        var archivePath: String
        var recordedSHA256: String
        var archiveSHA256: String?
        /// `ok`, `missing`, `altered`, `purged` or `not decrypted` (with `problem`).
        var status: String
        var problem: String?
        var bundleFile: String?
        var bundleSHA256: String?

        enum CodingKeys: String, CodingKey {
            case id, archivePath = "archive_path", recordedSHA256 = "recorded_sha256", archiveSHA256 = "archive_sha256"
            case status, problem, bundleFile = "bundle_file", bundleSHA256 = "bundle_sha256"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(archivePath, forKey: .archivePath)
            try c.encode(recordedSHA256, forKey: .recordedSHA256)
            try c.encode(archiveSHA256, forKey: .archiveSHA256)
            try c.encode(status, forKey: .status)
            try c.encode(problem, forKey: .problem)
            try c.encode(bundleFile, forKey: .bundleFile)
            try c.encode(bundleSHA256, forKey: .bundleSHA256)
        }
    }

    /// Writes the bundle of `ids` (archive ids) into `folder`, which must not exist or be empty.
    /// `selection` says how the calls were chosen (for the manifest and the audit entry); `by`,
    /// `via` and `address` who exported them and how.
    public func write(ids: [String], selection: String, to folder: String, by: String, via: String,
                      address: String? = nil, now: Date = Date()) throws -> Result {
        try Self.checkDestination(folder)
        let (calls, unknown) = try source.calls(ids: ids)
        guard !calls.isEmpty else { throw Failure("no call to export: \(unknown.isEmpty ? "the selection matches nothing" : "no call \(unknown.joined(separator: ", "))")") }
        let parent = Self.parent(of: folder)
        let temporary = (parent == "/" ? "" : parent) + "/." + (folder as NSString).lastPathComponent
            + ".bundle-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(temporary, 0o700) == 0, mkdir(temporary + "/audio", 0o700) == 0 else {
            throw Failure("cannot create \(temporary): \(FileSystemError.mkdir(temporary, errno: errno).reason)")
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(atPath: temporary) } }

        var checks: [Check] = []
        var manifest: [ManifestCall] = []
        var sums: [(path: String, sha256: String)] = []
        var problems: [String] = []
        for call in calls {
            let r = call.record
            var check = try bundleAudio(r, into: temporary)
            if let file = check.bundleFile, let digest = check.bundleSHA256 { sums.append((file, digest)) }
            if check.status != "ok" { problems.append("\(r.id): \(check.problem ?? check.status)") }
            manifest.append(ManifestCall(id: r.id, record: r.output(archiveRoot: archiveRoot, holds: call.holds, directory: call.directory),
                                         file: check.bundleFile, sha256: check.bundleSHA256, status: check.status))
            check.problem = check.problem ?? (check.status == "ok" ? nil : check.status)
            checks.append(check)
        }

        let entries = try source.auditEntries(touching: calls.map(\.record.id))
        let audit = try source.auditChain()
        let chain = audit.broken
        let header = Header(createdAt: Timestamp.format(now), createdBy: by, via: via, tool: "callvault \(CallVault.version)",
                            selection: selection, callCount: calls.count)
        var documents: [(name: String, bytes: [UInt8])] = []
        documents.append(("manifest.json", try Self.json(Manifest(header: header, calls: manifest))))
        documents.append(("audit.json", try Self.json(entries)))
        documents.append(("audit.csv", Array(Self.auditCSV(entries).utf8)))
        let verify = VerifyDocument(checkedAt: Timestamp.format(now), files: checks, auditEntries: audit.entries,
                                    auditBrokenAt: chain?.seq, auditProblem: chain?.reason)
        documents.append(("verify.json", try Self.json(verify)))
        documents.append(("index.html", Array(EvidenceHTML.page(header: header, calls: calls, checks: checks, entries: entries,
                                                                 chainProblem: chain?.reason).utf8)))
        for d in documents {
            let path = temporary + "/" + d.name
            do throws(FileSystemError) {
                let file = try AtomicFile(path: path, mode: 0o600)
                try file.write(d.bytes)
                let digest = try file.finish()
                sums.append((d.name, digest))
            } catch { throw Failure("cannot write \(path): \(error.reason)") }
        }
        sums.sort { $0.path < $1.path }
        let sumsText = sums.map { "\($0.sha256)  \($0.path)\n" }.joined()
        let sumsSHA256: String
        do throws(FileSystemError) {
            let file = try AtomicFile(path: temporary + "/SHA256SUMS", mode: 0o600)
            try file.write(Array(sumsText.utf8))
            sumsSHA256 = try file.finish()
            try DirectorySync.sync(folder: temporary + "/audio")
            try DirectorySync.sync(folder: temporary)
        } catch { throw Failure("cannot write \(temporary)/SHA256SUMS: \(error.reason)") }

        // Audited before it appears: an entry for a bundle a crash kept from appearing is the
        // safe side of the two.
        var details = ["kind": "export", "by": by, "via": via, "bundle": folder, "selection": selection,
                       "files": "\(sums.count + 1)", "calls": "\(calls.count)"]
        if let address { details["address"] = address }
        if !problems.isEmpty { details["problems"] = problems.joined(separator: "; ") }
        try source.appendAuditEntry(action: "access", ids: calls.map(\.record.id), reason: "evidence export",
                                    sha256: sumsSHA256, details: details)
        if rmdir(folder) != 0 && errno != ENOENT {
            throw Failure("\(folder) is not empty any more (something was put there meanwhile); no bundle was written")
        }
        do throws(FileSystemError) {
            try FileMove.rename(temporary, to: folder)
            renamed = true
            try DirectorySync.syncFolder(of: folder)
        } catch { throw Failure("cannot put the bundle in place at \(folder): \(error.reason)") }
        return Result(folder: folder, calls: calls.count, files: sums.map(\.path) + ["SHA256SUMS"], problems: problems,
                      sumsSHA256: sumsSHA256, unknownIDs: unknown)
    }

    /// DIR must not exist (its folder must) or be an empty folder.
    static func checkDestination(_ folder: String) throws {
        var st = stat()
        if lstat(folder, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw Failure("\(folder) exists and is not a folder") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? ["?"]
            guard entries.isEmpty else { throw Failure("\(folder) is not empty: a bundle goes into a new or empty folder") }
        } else {
            let container = Self.parent(of: folder)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: container, isDirectory: &isDir), isDir.boolValue else {
                throw Failure("the folder \(container) (where \(folder) would go) does not exist")
            }
        }
    }

    /// The folder `path` is in ("." for a bare name).
    static func parent(of path: String) -> String {
        let p = (path as NSString).deletingLastPathComponent
        return p.isEmpty ? "." : p
    }

    /// Checks the archive file against the index and puts the call's audio into `temporary/audio/`.
    private func bundleAudio(_ r: CallRecord, into temporary: String) throws -> Check {
        var check = Check(id: r.id, archivePath: r.archivePath, recordedSHA256: r.sha256, status: "ok")
        if let purgedAt = r.audioPurgedAt {
            check.status = "purged"
            check.problem = "audio \(r.purgeNote(purgedAt))"
            return check
        }
        guard !r.archivePath.hasPrefix("/"), !r.archivePath.split(separator: "/").contains("..") else {
            check.status = "missing"
            check.problem = "the index names a path outside the archive"
            return check
        }
        let source = archiveRoot + "/" + r.archivePath
        do throws(FileSystemError) {
            check.archiveSHA256 = try FileHash.sha256(path: source).hex
        } catch {
            check.status = "missing"
            check.problem = "archive file \(source): \(error.reason)"
            return check
        }
        guard check.archiveSHA256 == r.sha256 else {
            check.status = "altered"
            check.problem = "archive file does not match the SHA-256 in the index; not bundled"
            return check
        }
        let encrypted = r.archivePath.hasSuffix(".age")
        let name = "audio/\(r.id).opus" + (encrypted && identities.isEmpty ? ".age" : "")
        let destination = temporary + "/" + name
        if encrypted && !identities.isEmpty {
            do {
                try AgeFile.decrypt(input: source, identities: identities, output: destination)
            } catch {
                check.status = "not decrypted"
                check.problem = "\(error)"
                return check
            }
        } else {
            guard let data = FileManager.default.contents(atPath: source) else {
                check.status = "missing"
                check.problem = "archive file \(source) could not be read"
                return check
            }
            do throws(FileSystemError) {
                try AtomicFile.write(Array(data), to: destination, mode: 0o600)
            } catch { throw Failure("cannot write \(destination): \(error.reason)") }
        }
        do throws(FileSystemError) {
            check.bundleSHA256 = try FileHash.sha256(path: destination).hex
        } catch { throw Failure("cannot read back \(destination): \(error.reason)") }
        if !encrypted && check.bundleSHA256 != r.sha256 {
            throw Failure("\(destination): the copy does not match its source (a disk error?)")
        }
        check.bundleFile = name
        return check
    }

    /// Who made the bundle, when and of what.
    struct Header: Encodable {
        var createdAt: String
        var createdBy: String
        var via: String
        var tool: String
        var selection: String
        var callCount: Int

        enum CodingKeys: String, CodingKey {
            case createdAt = "created_at", createdBy = "created_by", via, tool, selection, callCount = "call_count"
        }
    }

    /// `manifest.json`: the header's fields and `calls`.
    struct Manifest: Encodable {
        var header: Header
        var calls: [ManifestCall]

        enum CodingKeys: String, CodingKey { case calls }

        func encode(to encoder: Encoder) throws {
            try header.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(calls, forKey: .calls)
        }
    }

    /// One call of the manifest: its record as `query --format json` prints it, and its bundled file.
    struct ManifestCall: Encodable {
        var id: String
        var record: CallRecord.Output
        var file: String?
        var sha256: String?
        var status: String

        enum CodingKeys: String, CodingKey { case id, record, file, sha256, status }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(record, forKey: .record)
            try c.encode(file, forKey: .file)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(status, forKey: .status)
        }
    }

    /// `verify.json`.
    struct VerifyDocument: Encodable {
        var checkedAt: String
        var files: [Check]
        var auditEntries: Int
        var auditBrokenAt: Int64?
        var auditProblem: String?
        var clean: Bool { files.allSatisfy { $0.status == "ok" || $0.status == "purged" } && auditBrokenAt == nil }

        enum CodingKeys: String, CodingKey {
            case checkedAt = "checked_at", files, auditEntries = "audit_entries", auditBrokenAt = "audit_broken_at"
            case auditProblem = "audit_problem", clean
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(checkedAt, forKey: .checkedAt)
            try c.encode(files, forKey: .files)
            try c.encode(auditEntries, forKey: .auditEntries)
            try c.encode(auditBrokenAt, forKey: .auditBrokenAt)
            try c.encode(auditProblem, forKey: .auditProblem)
            try c.encode(clean, forKey: .clean)
        }
    }

    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0a]
    }

    /// The columns of `audit list --format csv`.
    static func auditCSV(_ entries: [AuditLog.Entry]) -> String {
        var lines = ["seq,at,action,ids,reason,sha256,version,os_user,details,prev_hash,hash"]
        for e in entries {
            let details = e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            lines.append(CSVWriter.line(["\(e.seq)", e.at, e.action, e.ids.joined(separator: " "), e.reason, e.sha256, e.version,
                                         e.osUser, details, e.prevHash, e.hash]))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
