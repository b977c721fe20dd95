// CallVaultStore — the index: schema migrations (history, never edited), CallRecord, JobQueue
// (leases), Registry (attribution), CallQuery, Holds, Retention, AuditLog (hash chain), Verifier,
// the archive's identity.
//
// Owns: every SQL statement (always parameterised) and every transaction boundary. Must not: read
// audio, parse CLI arguments, or print; decide policy (rules come from CallVaultCore); hash, unlink
// or fsync files itself (CallVaultFiles does, and its errors are reported, never ignored).
