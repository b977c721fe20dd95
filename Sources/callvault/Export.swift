import ArgumentParser
import CallVaultAudio
import CallVaultCore
import CallVaultStore
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy calls' Opus files to a folder under readable names, for QA.",
        discussion: """
        Names are DATE_TIME_CAMPAIGN_CALLER_ID.opus (UTC), e.g.
        2026-11-20_1400_Search-Brand_+12125550187_c1a2b3….opus. Copies are verified against the
        SHA-256 in the index.

        Example:
          callvault export c1a2b3… c4d5e6… --to ~/qa-review
        """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "Archive ids or call_ids.") var ids: [String]
    @Option(help: "Folder to copy into (created if missing).") var to: String

    func run() throws {
        let (index, archive) = try store.openIndex(readOnly: true)
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        var failures = 0
        for id in ids {
            let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
            guard let r = try index.call(id: key) else {
                FileHandle.standardError.write(Data("callvault: no call \(id.debugDescription)\n".utf8)); failures += 1; continue
            }
            let source = archive + "/" + r.archivePath
            guard let data = FileManager.default.contents(atPath: source) else {
                FileHandle.standardError.write(Data("callvault: \(r.id): archive file missing (\(source))\n".utf8)); failures += 1; continue
            }
            let name = Self.fileName(r)
            let copy = try AtomicFile(path: to + "/" + name, mode: 0o644)
            try copy.write(Array(data))
            let digest = try copy.sync()
            guard digest == r.sha256 else {
                copy.discard()
                FileHandle.standardError.write(Data("callvault: \(r.id): archive file does not match its SHA-256; not exported\n".utf8))
                failures += 1
                continue
            }
            try copy.commitRename()
            print(to + "/" + name)
        }
        if failures > 0 { throw ExitCode(2) }
    }

    static func fileName(_ r: CallRecord) -> String { r.exportFileName }
}
