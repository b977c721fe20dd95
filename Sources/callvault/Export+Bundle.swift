import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultSettings
import Foundation

extension Export {
    /// The bundle's calls and how they were chosen (for the manifest and the audit entry).
    struct BundleSelection: Sendable {
        var ids: [String]
        var text: String
    }

    /// `export --bundle DIR`: the selected calls as an evidence bundle (see ``EvidenceBundle``),
    /// from a SQLite index or a PostgreSQL one (``PostgresEvidenceIndex``) alike: the archive is
    /// checked as the index's own first, then the calls are chosen, then the bundle is written.
    func runBundle(_ folder: String) async throws {
        let config = try store.loadConfig()
        let identities = try identities() ?? []
        let r = try store.resolved()
        let result: EvidenceBundle.Result
        if let url = try PostgresBackend.url(r.database) {
            // The bundle's reads and its audit entry wait on the client: on a thread of their own.
            result = try await PostgresBackend.withIndex(url, config: r.config) { index in
                let archive = try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { $0 }
                let source = PostgresEvidenceIndex(index: index)
                let selection = try await select(numbers: config.numberReading,
                                                 covered: { name in try await PostgresOwnThread.run { try source.calls(coveredBy: name) } },
                                                 matching: { try await PostgresCallReader(index: index).calls($0).records.map(\.id) })
                let bundle = EvidenceBundle(source: source, archiveRoot: archive, identities: identities)
                return try await PostgresOwnThread.run { try Self.write(bundle, selection, to: folder) }
            }
        } else {
            let (index, archive) = try store.openIndex(checkArchive: true)
            let selection = try await select(numbers: config.numberReading, covered: { try EvidenceIndex(index: index).calls(coveredBy: $0) },
                                             matching: { try $0.run(index).records.map(\.id) })
            result = try Self.write(EvidenceBundle(index: index, archiveRoot: archive, identities: identities), selection, to: folder)
        }
        for id in result.unknownIDs { FileHandle.standardError.write(Data("callvault: no call \(id); not in the bundle\n".utf8)) }
        for problem in result.problems { FileHandle.standardError.write(Data("callvault: \(problem)\n".utf8)) }
        print("evidence bundle \(result.folder): \(result.calls) calls, \(result.files.count) files; check with: cd \(result.folder) && sha256sum -c SHA256SUMS")
        // Purged audio is a fact to report, not a failure; a missing, altered or undecryptable file is.
        if result.problems.contains(where: { !$0.contains("purged by retention") }) { throw ExitCode(4) }
        if !result.unknownIDs.isEmpty { throw ExitCode(2) }
    }

    /// The calls given by id, by `--hold` (`covered` reads the hold's calls, nil for no such
    /// active hold) or by the query filters (`matching` runs the query); none is exit 3.
    private func select(numbers: NumberReading, covered: (String) async throws -> [String]?,
                        matching: (CallQuery) async throws -> [String]) async throws -> BundleSelection {
        let selection: BundleSelection
        if let hold {
            guard let ids = try await covered(hold) else { throw CLIError.notFound("no active hold named \(hold.debugDescription)") }
            selection = BundleSelection(ids: ids, text: "hold \(hold)")
        } else if filters.given {
            selection = BundleSelection(ids: try await matching(try filters.query(numbers: numbers)), text: filters.summary)
        } else {
            selection = BundleSelection(ids: ids.map { RecordID.isWellFormed($0) ? $0 : RecordID.make(callID: $0) },
                                        text: "ids " + ids.joined(separator: " "))
        }
        if selection.ids.isEmpty { throw CLIError.notFound("no call matches \(selection.text); nothing exported") }
        return selection
    }

    /// Writes the bundle; a refusal (`EvidenceBundle.Failure`) is exit 2 with its words.
    private static func write(_ bundle: EvidenceBundle, _ selection: BundleSelection, to folder: String) throws -> EvidenceBundle.Result {
        do {
            return try bundle.write(ids: selection.ids, selection: selection.text, to: folder, by: AuditLog.osUser, via: "cli")
        } catch let failure as EvidenceBundle.Failure {
            throw CLIError.input(failure.description)
        }
    }
}
