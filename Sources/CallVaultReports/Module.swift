// CallVaultReports — report queries and renderers: summary, missed, callers, area codes, hours,
// compare, dead air; ReportTable as text, CSV, JSON; HTMLReport with inline SVG. Reads a
// ReportIndex: SQLite's (its aggregates, or its own scan SQL) or another backend's ReportScanSource
// (PostgreSQL's: every report scans there), added up by the same Swift. Over a long period the
// caller pass of a SQLite report runs on two threads and read connections taking runs of
// quarters in turn (AggregateSource.countCallerEntries), each thread's counters its own, merged
// after both end, while a third thread reads the report's other rows (PartThread).
//
// Owns: the numbers marketing reads and how they are rendered. Must not: write to the index or
// the archive; know about the CLI (the CLI and a web server both call it).
