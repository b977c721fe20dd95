import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultServer
import CallVaultStore
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Accounts of the web application (`callvault serve`), kept in the index.",
        discussion: """
        Roles: qa (search, listen, download, reports), compliance (also holds, the audit log, \
        verify results), admin (also users). A password is never an argument: it is asked for at a \
        terminal, or read from the first line of standard input (an identical confirmation line may \
        follow). Passwords are stored as bcrypt hashes (cost 12), API tokens as SHA-256 digests.

        Examples:
          callvault user add ana --role qa
          printf '%s\\n' "$PASSWORD" | callvault user add bob --role compliance
          callvault user token bob > bob.token
          callvault user list
        """,
        subcommands: [Add.self, List.self, Remove.self, Passwd.self, Token.self])

    /// The password from the terminal (asked twice) or from standard input.
    static func readPassword() throws -> String {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            guard let first = getpass("Password: ").map({ String(cString: $0) }),
                  let second = getpass("Again: ").map({ String(cString: $0) }) else { throw CLIError.input("no password given") }
            guard first == second else { throw CLIError.input("the two passwords differ") }
            password = first
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            do { password = try Passwords.fromInput(String(decoding: data, as: UTF8.self)) } catch let e as Passwords.PasswordInputError {
                throw CLIError.input(e.description)
            }
        }
        if let problem = Passwords.problem(password) { throw CLIError.input(problem) }
        return password
    }

    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as Users.UserError {
            if case .notFound = e { throw CLIError.notFound(e.description) }
            throw CLIError.input(e.description)
        }
    }

    /// The accounts of the index `store` names: `sqlite` on a SQLite index, `postgres` on a
    /// `postgres://` one (the same rows, errors and audit entries on both).
    static func withUsers<T: Sendable>(_ store: StoreOptions, sqlite: (Users) throws -> T,
                                       postgres: (PostgresUsers) async throws -> T) async throws -> T {
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            return try await PostgresBackend.withIndex(url, config: r.config) { try await postgres(PostgresUsers(index: $0)) }
        }
        let (index, _) = try store.openIndex()
        return try sqlite(Users(index: index))
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a user (the password from the terminal or stdin).",
            discussion: """
            The password is asked twice on a terminal; from a pipe, the first line is the password and an \
            identical second line may confirm it. It is never taken from the command line.

            Examples:
              callvault user add alice --role compliance --config /etc/callvault.toml
              printf '%s\\n' "$PASSWORD" | callvault user add qa1 --role qa
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name: letters, digits, . _ - @.") var name: String
        @Option(help: "qa, compliance or admin.") var role: Users.Role

        func run() async throws {
            guard Users.isValidName(name) else { throw CLIError.input(Users.UserError.badName(name).description) }
            let (name, role) = (name, role)
            try await UserCommand.mapErrors {
                try await UserCommand.withUsers(store, sqlite: { users in
                    let hash = Passwords.hash(try UserCommand.readPassword())
                    try users.add(name: name, role: role, passwordHash: hash, now: Date())
                }, postgres: { users in
                    let hash = Passwords.hash(try UserCommand.readPassword())
                    try await users.add(name: name, role: role, passwordHash: hash, now: Date())
                })
            }
            print("user \(name.debugDescription) added as \(role.rawValue)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List users and their roles.",
            discussion: """
            Example:
              callvault user list --config /etc/callvault.toml
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let users = try await UserCommand.withUsers(store, sqlite: { try $0.list() }, postgres: { try await $0.list() })
            let common: [Listing<Users.User>.Column] = [
                .init("name") { .text($0.name) }, .init("role") { .text($0.role.rawValue) },
                .init("created_at") { .text($0.createdAt) }, .init("password_changed_at") { .text($0.passwordChangedAt) },
            ]
            try Listing(users, table: common + [.init("token") { .text($0.hasToken ? "yes" : "no") }],
                        csv: common + [.init("has_token") { .text("\($0.hasToken)") }]).print(as: format)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a user (their sessions end).",
            discussion: """
            Example:
              callvault user remove bob --config /etc/callvault.toml
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            let name = name
            try await UserCommand.mapErrors {
                try await UserCommand.withUsers(store, sqlite: { try $0.remove(name: name, now: Date()) },
                                                postgres: { try await $0.remove(name: name, now: Date()) })
            }
            print("user \(name.debugDescription) removed")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd",
            abstract: "Set a user's password (their sessions end).",
            discussion: """
            Example:
              callvault user passwd alice --config /etc/callvault.toml
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            let name = name
            // The user is looked up before the password is read: no password is asked for nobody.
            try await UserCommand.mapErrors {
                try await UserCommand.withUsers(store, sqlite: { users in
                    guard try users.user(named: name) != nil else { throw Users.UserError.notFound(name) }
                    try users.setPasswordHash(name: name, passwordHash: Passwords.hash(try UserCommand.readPassword()), now: Date())
                }, postgres: { users in
                    guard try await users.user(named: name) != nil else { throw Users.UserError.notFound(name) }
                    try await users.setPasswordHash(name: name, passwordHash: Passwords.hash(try UserCommand.readPassword()), now: Date())
                })
            }
            print("password of \(name.debugDescription) changed")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Issue an API token (printed once, alone, on stdout; it replaces the user's earlier token).",
            discussion: """
            Use it as `Authorization: Bearer TOKEN` on any route. Only its SHA-256 is kept: a lost token \
            cannot be shown again, only replaced.

            Example:
              curl -H "Authorization: Bearer $(cat bob.token)" http://127.0.0.1:8080/api/calls?campaign=Search-Brand
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            let name = name
            let (token, digest) = Passwords.newToken()
            try await UserCommand.mapErrors {
                try await UserCommand.withUsers(store, sqlite: { try $0.setTokenDigest(name: name, digest: digest, now: Date()) },
                                                postgres: { try await $0.setTokenDigest(name: name, digest: digest, now: Date()) })
            }
            print(token)
        }
    }
}

extension Users.Role: ExpressibleByArgument {}
