// CallVaultArchive — archive maintenance, above the index (CallVaultStore) and the archive's files:
// Retention (apply a RetentionPolicy: mark purged and audit, then unlink; delete records), Verifier
// (re-hash files against the index, orphans, the audit chain, the report aggregates) and
// ArchiveExport (copies under readable names, checked against their SHA-256), with the export
// file name and the CSV columns of a call; CallAudio (a call's Opus as plaintext bytes, streamed
// or by ranges, whether stored plain or age-encrypted: what serve, export and verify --decrypt read)
// and KeyRotation (`keys rotate`: re-encrypt every .age file through the atomic path, crash-safe);
// Erasure (a person's calls on request, held and
// mandatory-minimum calls kept, with its ErasureReceipt) and EvidenceBundle (files, manifest,
// audit trail, verify report, offline index.html, SHA256SUMS; TarFormat streams it for serve).
//
// Owns: every deletion from the archive and the order of effects that makes it safe to interrupt
// (index first, then the file; for an erasure: audio marked, file unlinked, record deleted). Must not: issue SQL (every statement it needs is a named operation
// of CallVaultStore: RetentionIndex, VerifyIndex, ErasureIndex, EvidenceIndex, AuditLog, ReportAggregates), ingest calls, parse
// CLI arguments or print, or decide policy (rules come from CallVaultCore); the CLI and the server
// call it, never the other way round.
