import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultCore
import CallVaultFiles
import CallVaultPostgres
import CallVaultStore
import CallVaultWorker
import Foundation

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy calls' Opus files to a folder under readable names, for QA; or write an evidence bundle.",
        discussion: """
        With --to: names are DATE_TIME_CAMPAIGN_CALLER_ID.opus (UTC), e.g. \
        2026-11-20_1400_Search-Brand_+12125550187_c1a2b3….opus. Copies are verified against the \
        SHA-256 in the index. An encrypted archive file (ID.opus.age) is copied as stored (NAME.opus.age) \
        unless there is an identity (--identity, else [encryption] identity_file): then it is \
        decrypted as it is copied (NAME.opus), checked against its opus_sha256.

        With --bundle DIR (a new or empty folder): the calls given by id, by --hold NAME (the calls \
        that active hold covers) or by the query filters, as an evidence bundle: audio/ID.opus \
        (decrypted with the identity when the archive holds age files, else as stored), \
        manifest.json (each record as query --format json prints it, and its file's SHA-256), \
        audit.json and audit.csv (every audit entry naming those calls, plays and downloads \
        included), verify.json (each archive file hashed now), an index.html that shows it all \
        offline, and SHA256SUMS over everything (sha256sum -c SHA256SUMS passes). The bundle \
        appears whole or not at all; the export is audited (action access, kind export). Exit 4 \
        when a file is missing, altered or cannot be decrypted (the bundle says which).

        Examples:
          callvault export c1a2b3… c4d5e6… --to ~/qa-review
          callvault export c1a2b3… --to ~/qa-review --identity key.txt
          callvault export --bundle case-114 --hold CASE-114 --config callvault.toml
          callvault export --bundle q4 --campaign Search-Brand --since 2026-10-01
        """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "Archive ids or call_ids.") var ids: [String] = []
    @Option(help: "Folder to copy into (created if missing).") var to: String?
    @Option(help: "Write an evidence bundle into this new or empty folder instead.") var bundle: String?
    @Option(help: "With --bundle: the calls this active legal hold covers.") var hold: String?
    @Option(help: "Identity file (AGE-SECRET-KEY-1…, mode 0600) to decrypt encrypted archive files with (default: [encryption] identity_file).") var identity: String?
    @OptionGroup(title: "Query filters (with --bundle)") var filters: CallFilterOptions

    func validate() throws {
        guard (to == nil) != (bundle == nil) else { throw ValidationError("give --to DIR (copies) or --bundle DIR (an evidence bundle)") }
        if to != nil {
            if ids.isEmpty { throw ValidationError("give the ids of the calls to copy") }
            if hold != nil || filters.given { throw ValidationError("--hold and the query filters go with --bundle") }
        } else {
            let selections = (ids.isEmpty ? 0 : 1) + (hold == nil ? 0 : 1) + (filters.given ? 1 : 0)
            if selections != 1 { throw ValidationError("choose the bundle's calls by ids, by --hold NAME or by query filters (one of them)") }
        }
    }

    func run() async throws {
        let r = try store.resolved()
        if let bundle { return try await runBundle(bundle) }
        guard let to else { return }
        let identities = try identities()
        if let url = try PostgresBackend.url(r.database) {
            // The same copies as on SQLite; the export and the archive check are synchronous: on a thread of their own.
            let ids = ids
            let copies = try await PostgresBackend.withIndex(url, config: r.config) { index in
                let archive = try await PostgresBackend.archiveRoot(index, given: store.givenArchive(r.config), fallback: r.archive)
                return try await PostgresOwnThread.run {
                    let calls = PostgresQueueStore(index: index, leaseSeconds: 0)
                    do {
                        try ArchiveIdentity.check(root: archive, index: calls, claim: false)
                    } catch let e as WorkerError {
                        throw CLIError.input(e.description)
                    }
                    try Self.makeFolder(to)
                    let export = ArchiveExport(archiveRoot: archive) { try calls.call(id: $0) }
                    return try ids.map { try export.copy($0, to: to, identities: identities) }
                }
            }
            try report(copies)
            return
        }
        let (index, archive) = try store.openIndex(readOnly: true, checkArchive: true)
        try Self.makeFolder(to)
        let export = ArchiveExport(index: index, archiveRoot: archive)
        try report(try ids.map { try export.copy($0, to: to, identities: identities) })
    }

    /// Each copy's path on stdout, each refusal on stderr; exit 2 when any was refused.
    private func report(_ copies: [ArchiveExport.Copy]) throws {
        var failures = 0
        for copy in copies {
            switch copy {
            case .copied(let destination): print(destination)
            case .refused(let reason):
                FileHandle.standardError.write(Data("callvault: \(reason)\n".utf8))
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }

    /// The identity to decrypt with: `--identity`, else the config's `[encryption] identity_file`,
    /// else none (encrypted files are copied as stored).
    func identities() throws -> [AgeIdentity]? {
        try (identity ?? store.resolved().settings.encryption.identityFile).map(loadIdentityFile)
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
