// CallVaultReports — report queries and renderers: summary, missed, callers, area codes, hours,
// compare, dead air; ReportTable as text, CSV, JSON; HTMLReport with inline SVG.
//
// Owns: the numbers marketing reads and how they are rendered. Must not: write to the index or
// the archive; know about the CLI (the CLI and a web server both call it).
