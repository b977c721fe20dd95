// CallVaultPostgres — the index on PostgreSQL (issue 20, in progress): the connection pool
// (PostgresIndex, one PostgresClient per process, a swift-service-lifecycle Service), the
// password lookup (password_file, PGPASSWORD, ~/.pgpass as libpq reads it), versioned migrations
// applied under an advisory lock (PostgresMigrator), the job queue (PostgresJobQueue: claims with
// FOR UPDATE SKIP LOCKED, leases renewed by a heartbeat) and the audit log (PostgresAuditLog: the
// hash chain of CallVaultCore's AuditChain, append-only by triggers).
//
// Owns: every PostgreSQL statement (always bound through PostgresQuery's interpolation, never
// concatenated) and every PostgreSQL transaction boundary. Must not: import GRDB or CallVaultStore
// (SQLite stays there), read audio, touch archive files, parse CLI arguments, or print; decide
// policy (rules come from CallVaultCore, defaults from CallVaultSettings).
//
// Not yet (later increments of issue 20): the calls' ingest steps, queries, reports and every
// command on this backend; a shared QueueStore protocol needs Job and CallRecord out of GRDB first.
