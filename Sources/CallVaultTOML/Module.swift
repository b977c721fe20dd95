// CallVaultTOML — a TOML 1.0 parser written against the specification: every key and value with
// its line and column, every malformed input a TOMLError, never an abort or a hang.
//
// Owns: TOML syntax only. Must not: know callvault's keys (CallVaultSettings' Config and JobFile do).
