import ArgumentParser
import CallVaultSettings

/// Every command that opens an index runs on PostgreSQL (issue 20). This guard stays for commands
/// added later: one not in ``working`` stops with exit 2 on a `postgres://` index and says so, since
/// a URL must never be taken for a SQLite file name. It also refuses a malformed URL with its reason.
enum PostgresNotYet {
    /// The commands that work on PostgreSQL (``PostgresBackend``), as typed; every other one refuses.
    static let working: Set<String> = ["run", "show", "query", "audit list", "verify", "hold add", "hold remove", "hold list", "retention apply",
                                          "numbers import", "numbers list", "numbers unassigned", "numbers relink", "export",
                                          "report summary", "report missed", "report callers", "report area-codes", "report hours",
                                          "report compare", "report dead-air", "report callbacks",
                                          "user add", "user list", "user remove", "user passwd", "user token",
                                          "directory import", "directory list", "directory lookup",
                                          "web import-callbacks", "web import-sessions", "erase", "job run", "serve",
                                          "keys rotate", "db rebuild-aggregates", "db upgrade"]

    /// What still refuses a PostgreSQL index although its command is in ``working`` (an option of it),
    /// as `config check` names it.
    static let stillRefused: [String] = []

    /// The refusal for `database` (the config's or `--db`'s text) when it is a URL; nil for a path.
    /// A malformed URL is refused with its reason (`what` names where it came from); a well-formed
    /// one passes for the commands in ``working``.
    static func refusal(_ database: String?, what: String, command: String = commandPath()) -> CLIError? {
        guard let database, PostgresURL.looksLikeURL(database) else { return nil }
        do {
            _ = try PostgresURL(database)
        } catch let e as PostgresURLError {
            return .input("\(what): \(e.message)")
        } catch {
            return .input("\(what): \(error)")
        }
        if working.contains(command) { return nil }
        return .input("PostgreSQL index: not supported yet by `callvault \(command)` (works: \(working.sorted().joined(separator: ", "))); use a SQLite path")
    }

    /// The subcommand being run, as typed (`run`, `report summary`), read from the arguments
    /// against the command tree.
    static func commandPath(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        var names: [String] = []
        var level = CallVaultCommand.configuration.subcommands
        for argument in arguments {
            guard let sub = level.first(where: { ($0.configuration.commandName ?? $0._commandName) == argument }) else { break }
            names.append(argument)
            level = sub.configuration.subcommands
        }
        return names.isEmpty ? CallVaultCommand._commandName : names.joined(separator: " ")
    }
}
