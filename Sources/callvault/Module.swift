// callvault — the executable: one ParsableCommand per subcommand, argument parsing, validation and
// rendering only.
//
// Owns: flags, help texts (snapshotted in Tests/Snapshots/help), exit statuses, and how results are
// printed: Output/ (Listing for lists in table, csv or json; SummaryOutput for one result as text or
// json). Must not: hold logic a test or a web server would need to call (every command calls the
// libraries), or build table or CSV text by hand (a list goes through Listing, a report through
// ReportTable, both over CellTable).
