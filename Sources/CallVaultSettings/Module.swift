// CallVaultSettings — what the operator configured: the TOML config file (Config, read through
// CallVaultTOML by TOMLReader), job files (JobFile), and `Settings`, the one value every command
// takes its settings from, with every default (`Settings.Defaults`) written once.
//
// Owns: the config and job file formats, their checks (every error FILE:LINE: reason, at the line
// of the offending key in its own table), and the defaults. Must not: open the index, touch audio
// or the archive, start processes; the only files it reads are the config and job files it is given.
