import ArgumentParser
import CallVaultAge
import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation

extension Export {
    /// `export --bundle DIR`: the selected calls as an evidence bundle (see ``EvidenceBundle``).
    func runBundle(_ folder: String) throws {
        let config = try store.loadConfig()
        let identities = try identities() ?? []
        let (index, archive) = try store.openIndex(checkArchive: true)
        let selected: [String]
        let selection: String
        if let hold {
            guard let covered = try EvidenceIndex(index: index).calls(coveredBy: hold) else {
                throw CLIError.notFound("no active hold named \(hold.debugDescription)")
            }
            selected = covered
            selection = "hold \(hold)"
        } else if filters.given {
            selected = try filters.query(numbers: config.numberReading).run(index).records.map(\.id)
            selection = filters.summary
        } else {
            selected = ids.map { RecordID.isWellFormed($0) ? $0 : RecordID.make(callID: $0) }
            selection = "ids " + ids.joined(separator: " ")
        }
        if selected.isEmpty { throw CLIError.notFound("no call matches \(selection); nothing exported") }
        let result: EvidenceBundle.Result
        do {
            result = try EvidenceBundle(index: index, archiveRoot: archive, identities: identities)
                .write(ids: selected, selection: selection, to: folder, by: AuditLog.osUser, via: "cli")
        } catch let failure as EvidenceBundle.Failure {
            throw CLIError.input(failure.description)
        }
        for id in result.unknownIDs { FileHandle.standardError.write(Data("callvault: no call \(id); not in the bundle\n".utf8)) }
        for problem in result.problems { FileHandle.standardError.write(Data("callvault: \(problem)\n".utf8)) }
        print("evidence bundle \(result.folder): \(result.calls) calls, \(result.files.count) files; check with: cd \(result.folder) && sha256sum -c SHA256SUMS")
        // Purged audio is a fact to report, not a failure; a missing, altered or undecryptable file is.
        if result.problems.contains(where: { !$0.contains("purged by retention") }) { throw ExitCode(4) }
        if !result.unknownIDs.isEmpty { throw ExitCode(2) }
    }
}
