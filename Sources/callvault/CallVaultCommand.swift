import ArgumentParser
import CallVaultCore
import CallVaultWorker
import Foundation

@main
struct CallVaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callvault",
        abstract: "Turn raw call recordings into a searchable, compliant Ogg Opus archive.",
        discussion: """
        callvault picks up recordings and their JSON sidecars from a spool, transcodes each to \
        Ogg Opus at its native rate, measures talk and silence, decides whether the call was \
        answered, missed or abandoned, and indexes it in SQLite.

        Start with:
          callvault transcode call.wav call.opus
          callvault analyze call.wav --json

        Exit status: 0 success; 1 fatal error; 2 usage, configuration or unreadable input; \
        3 some inputs quarantined; 4 verification found a problem; 5 a job's lock is held; \
        130/143 a second SIGINT/SIGTERM stopped a run at once.
        """,
        version: CallVault.version,
        subcommands: [Run.self, Show.self, Query.self, Export.self, Numbers.self, DirectoryCommand.self, WebCommand.self, RetentionCommand.self, HoldCommand.self,
                      VerifyCommand.self, AuditCommand.self, ReportCommand.self, JobCommand.self, Transcode.self, Analyze.self, ConfigCommand.self,
                      ServeCommand.self, UserCommand.self, DecryptCommand.self, DbCommand.self,
                      KeysCommand.self, EraseCommand.self])

    /// Runs the chosen subcommand; maps ``CLIError`` to the documented exit statuses.
    static func main() async {
        JobStep.dieWithParentJob()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            exitWith(error)
        } catch {
            // Usage errors exit 2, as documented (ArgumentParser's default is 64, EX_USAGE).
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            var message = fullMessage(for: error)
            if let suggestion = UsageSuggestion.subcommand(for: Array(CommandLine.arguments.dropFirst()), among: configuration.subcommands) {
                message += "\n\(suggestion)"
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
