// CallVaultStore — the index only: schema migrations (history, never edited), typed records
// (CallRecord with Outcome and Date fields; IndexTime is the one text format of a time), JobQueue
// (leases), Registry and CallAttributor (attribution by number, pool session or call-back), WebLog
// (the website's sessions and call-back requests), CallerDirectory (names and addresses, joined when read),
// CallQuery, Holds, AuditLog (hash chain), report aggregates, users and sessions, the archive's
// identity; RetentionIndex, VerifyIndex, KeyRotationIndex, ErasureIndex and EvidenceIndex, the named operations
// archive maintenance runs on the index (CallVaultArchive issues no SQL of its own).
//
// The worker's ingest transaction is composed of this module's `(Database) throws` steps (the
// queue's refusal check and insert, CallAttributor.link, RetentionStamp) through QueueStore, the protocol
// a second backend (PostgreSQL) implements beside JobQueue; IndexIdentityStore ties either to its
// archive; IndexValue carries a record's columns to and from that backend (encoded and decoded by
// this module's code), and IndexTable names what `db migrate` reads out in batches. Retention's,
// verify's, evidence bundles' and `keys rotate`'s index sides are protocols too (RetentionSource,
// VerifySource, EvidenceSource, KeyRotationSource; ErasureSource likewise), and the SQL both
// backends run is written once here (HoldMatch, RetentionIndex's statements, RetentionRow's judging).
//
// Owns: every SQL statement (always parameterised) and every transaction boundary. Must not: read
// audio, touch archive files (retention apply, verify and export are CallVaultArchive), parse CLI
// arguments, or print; decide policy (rules come from CallVaultCore); hash, unlink or fsync files
// itself (CallVaultFiles does, and its errors are reported, never ignored).
