import ArgumentParser
import CallVaultCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
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
                print("\(file): ok (spool \(c.spool ?? "-"), archive \(c.archive ?? "-"), database \(c.database ?? "-"))")
            } catch let e as ConfigError {
                throw CLIError.input(e.description)
            }
        }
    }
}
