import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import Foundation

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one call's record as a JSON object.",
        discussion: """
        ID is the archive id (c + 24 hex digits) that `callvault query` lists; a switch's \
        call_id is accepted too. `archive_file` is the absolute path of the Opus file \
        (null once retention purged the audio; `audio` then says when and under which rule). \
        `caller_directory` is the caller's entry in `callvault directory` (null when not there).

        Example:
          callvault show c3f1a9e0b2c4d6e8f0a1b2c3d --db data/callvault.sqlite
        """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The call's archive id, or its call_id.")
    var id: String

    func run() async throws {
        let key = RecordID.isWellFormed(id) ? id : RecordID.make(callID: id)
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            // The same record, holds, caller directory entry and output as on SQLite.
            try await PostgresBackend.withIndex(url, config: r.config) { index in
                let archive = try await PostgresBackend.archiveRoot(index, given: store.givenArchive(r.config), fallback: r.archive)
                let reader = PostgresCallReader(index: index)
                guard let record = try await reader.call(id: key) else { throw CLIError.notFound("no call \(id.debugDescription) in \(url)") }
                let holds = try await reader.holdNames(covering: [record.id])[record.id] ?? []
                var directory: CallerDirectoryEntry?
                if let caller = record.caller { directory = try await PostgresCallerDirectory(index: index).lookup(caller) }
                print(try JSONOutput.string(record.output(archiveRoot: archive, holds: holds, directory: directory)))
            }
            return
        }
        let (index, archive) = try store.openIndex(readOnly: true)
        guard let record = try index.call(id: key) else {
            throw CLIError.notFound("no call \(id.debugDescription) in \(index.path)")
        }
        let holds = try Holds(index: index).names(covering: [record.id])[record.id] ?? []
        let directory = try record.caller.flatMap { try CallerDirectory(index: index).lookup($0) }
        print(try JSONOutput.string(record.output(archiveRoot: archive, holds: holds, directory: directory)))
    }
}
