// callvault — the executable: one ParsableCommand per subcommand, argument parsing, validation and
// rendering only.
//
// Owns: flags, help texts (snapshotted in Tests/Snapshots/help), exit statuses. Must not: hold
// logic a test or a web server would need to call; every command calls the libraries.
