import ArgumentParser
import CallVaultCore
import CallVaultSettings
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a TOML config file; errors name the line.",
            discussion: """
            Exit 0 and a one-line summary when the file is valid; exit 2 and FILE:LINE: reason otherwise.

            Example:
              callvault config check samples/callvault.toml
            """)

        @Argument(help: "The config file.")
        var file: String

        func run() throws {
            do {
                let c = try Config.load(path: file)
                if c.postgres == nil, let spool = c.spool, let archive = c.archive, let database = c.database,
                   let problem = StorageLayout.problem(spool: RealPath.resolve(spool), archive: RealPath.resolve(archive), database: RealPath.resolve(database)) {
                    throw CLIError.input("\(file): \(problem)")
                }
                print("\(file): ok (spool \(c.spool ?? "-"), archive \(c.archive ?? "-"), database \(c.database ?? "-"))")
                for (name, path) in [("spool", c.spool), ("archive", c.archive)] {
                    guard let path else { continue }
                    var isDir: ObjCBool = false
                    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                        print("  note: the \(name) folder \(path) does not exist yet (the first run of a new index creates it)")
                    } else if !isDir.boolValue {
                        throw CLIError.input("\(file): the \(name) \(path) is not a folder")
                    }
                }
                if let url = c.postgres {
                    // Checked, not connected to: the password is looked up only when a command connects.
                    let password = c.passwordFile.map { "password_file \($0)" } ?? "PGPASSWORD or ~/.pgpass"
                    let refused = PostgresNotYet.stillRefused.map { "`callvault \($0)`" }.joined(separator: ", ")
                    print("  database: PostgreSQL \(url) (password from \(password)); every command works on it"
                          + (refused.isEmpty ? "" : " but \(refused)"))
                }
                if let recipients = c.encryptionRecipients {
                    print("  encryption: archive files ID.opus.age, encrypted to \(recipients.count) recipient(s)")
                }
                if let file = c.encryptionIdentityFile {
                    let identities = try loadIdentityFile(file)  // refused unless 0600, naming the file
                    print("  identity_file \(file): \(identities.count) identity(ies), mode 0600")
                }
                if let policy = c.retention {
                    for (i, r) in policy.rules.enumerated() {
                        var when: [String] = []
                        if let v = r.campaign { when.append("campaign \(v)") }
                        if let v = r.source { when.append("source \(v)") }
                        if let v = r.outcomes { when.append("outcome \(v.map(\.rawValue).joined(separator: "|"))") }
                        if let v = r.trackingNumber { when.append("tracking_number \(v)") }
                        let minimum = r.minKeepDays > 0 ? ", mandatory minimum \(r.minKeepDays) d" : ""
                        print("  retention \(i + 1). \(r.name): \(when.isEmpty ? "every other call" : when.joined(separator: ", ")) → audio \(r.keepAudioDays) d, record \(r.keepRecordDays) d\(minimum)")
                        if r.minKeepDays > min(r.keepAudioDays, r.keepRecordDays) {
                            print("    note: keep days below min_keep_days (\(r.minKeepDays)) are raised to it: nothing this rule matches is deleted or erased before then")
                        }
                    }
                } else {
                    print("  no retention policy: nothing is ever deleted")
                }
            } catch let e as ConfigError {
                throw CLIError.input(e.description)
            }
        }
    }
}
