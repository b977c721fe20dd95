import CallVaultAge
import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Crypto
import Foundation

/// `callvault verify`: re-hashes archive files against the index and checks the audit chain.
/// The index is read through ``VerifySource`` (SQLite's ``VerifyIndex``, or PostgreSQL's).
public struct Verifier: Sendable {
    public let source: any VerifySource
    public let archiveRoot: String

    public init(source: any VerifySource, archiveRoot: String) {
        self.source = source
        self.archiveRoot = archiveRoot
    }

    /// The verifier of the SQLite index `index`.
    public init(index: CallIndex, archiveRoot: String) {
        self.init(source: VerifyIndex(index: index), archiveRoot: archiveRoot)
    }

    public struct Report: Encodable, Sendable, Equatable {
        public var checked = 0
        public var missing: [String] = []
        public var altered: [String] = []
        public var orphans: [String] = []
        /// Records whose audio was purged by retention (informational).
        public var purged = 0
        /// Records that say purged while their file is still there (an interrupted `retention apply`).
        public var purgedButPresent: [String] = []
        /// Temporary files (`.ID.opus.tmp-…`) of a run in progress or interrupted (informational): one
        /// may hold the only copy of a committed call, which the next `callvault run` puts in place.
        public var temporaryFiles: [String] = []
        public var auditEntries = 0
        public var auditBrokenAt: Int64?
        public var auditProblem: String?
        /// Report aggregates that differ from the calls on the sampled quarters (`db rebuild-aggregates` repairs them).
        public var aggregateProblems: [String] = []
        /// `--decrypt`: files whose Opus plaintext was hashed against `opus_sha256` (nil without it).
        public var decrypted: Int?
        /// `--decrypt`: "ID: reason" for each file whose plaintext could not be read or differs.
        public var plaintextFailed: [String] = []

        public var clean: Bool {
            missing.isEmpty && altered.isEmpty && orphans.isEmpty && purgedButPresent.isEmpty && auditBrokenAt == nil
                && aggregateProblems.isEmpty && plaintextFailed.isEmpty
        }

        enum CodingKeys: String, CodingKey {
            case checked, missing, altered, orphans, purged
            case purgedButPresent = "purged_but_present", temporaryFiles = "temporary_files"
            case auditEntries = "audit_entries", auditBrokenAt = "audit_broken_at", auditProblem = "audit_problem", clean
            case aggregateProblems = "aggregate_problems"
            case decrypted, plaintextFailed = "plaintext_failed"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(checked, forKey: .checked)
            try c.encode(missing, forKey: .missing)
            try c.encode(altered, forKey: .altered)
            try c.encode(orphans, forKey: .orphans)
            try c.encode(purged, forKey: .purged)
            try c.encode(purgedButPresent, forKey: .purgedButPresent)
            try c.encode(temporaryFiles, forKey: .temporaryFiles)
            try c.encode(auditEntries, forKey: .auditEntries)
            try c.encode(auditBrokenAt, forKey: .auditBrokenAt)
            try c.encode(auditProblem, forKey: .auditProblem)
            try c.encode(aggregateProblems, forKey: .aggregateProblems)
            if let decrypted {
                try c.encode(decrypted, forKey: .decrypted)
                try c.encode(plaintextFailed, forKey: .plaintextFailed)
            }
            try c.encode(clean, forKey: .clean)
        }
    }

    /// Checks `sample` random records (all when nil) started since `since`, every file on disk for
    /// orphans, and the audit chain. Problems are appended to the audit log. With `decryptWith`
    /// (`verify --decrypt`) each intact file's Opus plaintext is also hashed against `opus_sha256`
    /// (an encrypted file decrypted with those identities, streamed).
    public func run(sample: Int?, since: Date?, now: Date, decryptWith identities: [AgeIdentity]? = nil) throws -> Report {
        var report = Report()
        if identities != nil { report.decrypted = 0 }
        for file in try source.archivedFiles(since: since, sample: sample) {
            let full = archiveRoot + "/" + file.archivePath
            let exists = FileManager.default.fileExists(atPath: full)
            if file.purged {
                report.purged += 1
                if exists { report.purgedButPresent.append(file.id) }
                continue
            }
            report.checked += 1
            guard exists else { report.missing.append(file.id); continue }
            // Unreadable, or replaced by a symlink, counts as altered.
            if (try? FileHash.sha256(path: full).hex) != file.sha256 { report.altered.append(file.id); continue }
            if let identities {
                if let problem = Self.plaintextProblem(full, opusSha256: file.opusSha256, identities: identities) {
                    report.plaintextFailed.append("\(file.id): \(problem)")
                } else {
                    report.decrypted = (report.decrypted ?? 0) + 1
                }
            }
        }
        // By id, whatever order the index handed the calls over in (PostgreSQL's changes with
        // its updates): the same problems print alike on both backends and from run to run.
        report.missing.sort()
        report.altered.sort()
        report.purgedButPresent.sort()
        report.plaintextFailed.sort()
        try walk(archiveRoot, relative: "", into: &report)
        report.auditEntries = try source.auditEntryCount()
        if let broken = try source.firstBrokenAuditLink() {
            report.auditBrokenAt = broken.seq
            report.auditProblem = broken.reason
        }
        report.aggregateProblems = try source.aggregateDifferences()
        if !report.clean {
            let ids = report.missing + report.altered + report.purgedButPresent
                + report.plaintextFailed.map { String($0.prefix { $0 != ":" }) }
            var details = ["missing": "\(report.missing.count)", "altered": "\(report.altered.count)",
                           "orphans": "\(report.orphans.count)", "purged_but_present": "\(report.purgedButPresent.count)"]
            if let problem = report.auditProblem { details["audit"] = problem }
            if let problem = report.aggregateProblems.first { details["aggregates"] = problem }
            if !report.plaintextFailed.isEmpty { details["plaintext_failed"] = "\(report.plaintextFailed.count)" }
            if !report.orphans.isEmpty { details["orphan_files"] = report.orphans.prefix(20).joined(separator: " ") }
            try? source.appendAudit(action: "verify_failed", ids: ids, reason: "verify found problems", details: details)
        }
        return report
    }

    /// Why the Opus plaintext of `path` does not check out against `opusSha256`, or nil when it does.
    static func plaintextProblem(_ path: String, opusSha256: String, identities: [AgeIdentity]) -> String? {
        do {
            let audio = try CallAudio(path: path, identities: identities)
            var hasher = SHA256()
            try audio.stream { hasher.update(data: $0) }
            let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            return digest == opusSha256 ? nil : "the decrypted Opus does not match its recorded SHA-256 (opus_sha256)"
        } catch {
            return "\(error)"
        }
    }

    /// The archive root's identity marker, written by the worker's `ArchiveIdentity`: not an orphan.
    public static let archiveMarker = CallIndex.archiveMarkerName

    /// Walks the archive without following symlinks; an `.opus` or `.opus.age` file is an orphan
    /// when no record has it (its name is its id).
    private func walk(_ dir: String, relative: String, into report: inout Report) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() {
            let path = dir + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(path, relative: rel, into: &report)
            case S_IFREG:
                if name.hasPrefix("."), name.contains(".tmp-") { report.temporaryFiles.append(rel); continue }
                if rel == Self.archiveMarker { continue }
                let id = name.hasSuffix(".opus") ? String(name.dropLast(5))
                    : name.hasSuffix(".opus.age") ? String(name.dropLast(9)) : ""
                let known = try source.archivePath(ofCall: id)
                if known != rel { report.orphans.append(rel) }
            default:
                report.orphans.append(rel)
            }
        }
    }
}
