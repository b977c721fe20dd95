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
        SHA-256 in the index. An encrypted archive file (ID.opus.age) is copied as stored (NAME.opus.age) \
        unless --identity is given: then it is decrypted as it is copied (NAME.opus), checked against \
        its opus_sha256.

        Examples:
          callvault export c1a2b3… c4d5e6… --to ~/qa-review
          callvault export c1a2b3… --to ~/qa-review --identity key.txt
        """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "Archive ids or call_ids.") var ids: [String]
    @Option(help: "Folder to copy into (created if missing).") var to: String
    @Option(help: "Identity file (mode 0600) to decrypt encrypted archive files with.") var identity: String?

    func run() throws {
        let identities = try identity.map(loadIdentityFile)
        let (index, archive) = try store.openIndex(readOnly: true, checkArchive: true)
        try Self.makeFolder(to)
        var failures = 0
        func fail(_ message: String) {
            FileHandle.standardError.write(Data("callvault: \(message)\n".utf8))
            failures += 1
        }
        let export = ArchiveExport(index: index, archiveRoot: archive)
        for id in ids {
            switch try export.copy(id, to: to, identities: identities) {
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
