// CallVaultCore — pure values and rules: Sidecar, PhoneNumber and NumberReading, Timestamp, Outcome,
// ActivityTimeline and the analysis, RetentionPolicy, RegistryEntry, Config (read through
// CallVaultTOML), RecordID, Glob, CSV reading and writing, and CellTable (typed rows printed as an
// aligned TextTable or as CSV).
//
// Owns: what a call, a number, a time, a rule *is*, and the checks on them (every error names the
// field). Must not: touch the index, the archive or the audio codecs; start processes; keep global
// mutable state. (Reading a config file's text is the one file read it does; FaultInjection is a
// test hook that moves to the Files module in the structure step.)
