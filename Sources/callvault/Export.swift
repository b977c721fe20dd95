import ArgumentParser
import CallVaultArchive
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
        let export = ArchiveExport(index: index, archiveRoot: archive)
        for id in ids {
            switch try export.copy(id, to: to) {
            case .copied(let destination): print(destination)
            case .refused(let reason): fail(reason)
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
}
