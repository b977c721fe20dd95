import ArgumentParser
import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy calls' Opus files to a folder under readable names, for QA.",
        discussion: """
        Names are DATE_TIME_CAMPAIGN_CALLER_ID.opus (UTC), e.g. \
        2026-11-20_1400_Search-Brand_+12125550187_c1a2b3….opus. Copies are verified against the \
        SHA-256 in the index.

        Example:
          callvault export c1a2b3… c4d5e6… --to ~/qa-review
        """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "Archive ids or call_ids.") var ids: [String]
    @Option(help: "Folder to copy into (created if missing).") var to: String

    func run() throws {
        let (index, archive) = try store.openIndex(readOnly: true, checkArchive: true)
        try Self.makeFolder(to)
        var failures = 0
        func fail(_ message: String) {
            FileHandle.standardError.write(Data("callvault: \(message)\n".utf8))
            failures += 1
        }
        for id in ids {
            let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
            guard let r = try index.call(id: key) else { fail("no call \(id.debugDescription)"); continue }
            if let purgedAt = r.audioPurgedAt {
                fail("\(r.id): audio \(r.purgeNote(purgedAt)); nothing to export")
                continue
            }
            let source = archive + "/" + r.archivePath
            guard let data = FileManager.default.contents(atPath: source) else {
                fail("\(r.id): archive file missing (\(source)); `callvault verify` reports it"); continue
            }
            let destination = to + "/" + Self.fileName(r)
            var st = stat()
            if lstat(destination, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
                fail("\(r.id): \(destination) already exists and is not a regular file (a folder or a link); not exported")
                continue
            }
            do {
                let copy = try AtomicFile(path: destination, mode: 0o644)
                try copy.write(Array(data))
                let digest = try copy.sync()
                guard digest == r.sha256 else {
                    copy.discard()
                    fail("\(r.id): archive file does not match its SHA-256; not exported")
                    continue
                }
                do { try copy.commitRename() } catch {
                    unlink(copy.temporaryPath)  // an export copy is not the only copy: leave nothing behind
                    throw error
                }
                print(destination)
            } catch let error as FileSystemError {
                fail("\(r.id): cannot write the copy: \(Self.words(error))")
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }

    /// Creates the destination folder, or says in words why it cannot be used.
    static func makeFolder(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw CLIError.input("--to \(path) exists and is not a folder") }
        } else {
            var prefix = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") {
                prefix += "/" + component
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                    throw CLIError.input("cannot create the folder \(prefix): \(FileSystemError.mkdir(prefix, errno: errno).reason)")
                }
            }
        }
        if access(path, W_OK | X_OK) != 0 {
            throw CLIError.input("cannot write into \(path): \(FileSystemError.access(path, errno: errno).reason)")
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

    static func fileName(_ r: CallRecord) -> String { r.exportFileName }
}
