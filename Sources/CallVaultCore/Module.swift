// CallVaultCore — pure values and rules: Sidecar, PhoneNumber and NumberReading, Timestamp, Outcome,
// ActivityTimeline and the analysis thresholds, RetentionPolicy, RegistryEntry, RecordID, Glob,
// CallAttribution, and the website's logs (CallbackRequest, WebSession, read by WebLogFile),
// CSV reading and writing (of text handed in), CellTable (typed rows printed as an aligned
// TextTable or as CSV), ConfigError.
//
// Owns: what a call, a number, a time, a rule *is*, and the checks on them (every error names the
// field). Must not: read or write files, read the environment, start, signal or stop processes
// (fault injection lives in CallVaultFaultInjection), know the config format or the defaults
// (CallVaultSettings), touch the index, the archive or the audio codecs, keep global mutable state.
