// CallVaultPostgres — the index on PostgreSQL (issue 20): the connection pool
// (PostgresIndex, one PostgresClient per process, a swift-service-lifecycle Service), the
// password lookup (password_file, PGPASSWORD, ~/.pgpass as libpq reads it), versioned migrations
// applied under an advisory lock (PostgresMigrator), the job queue (PostgresJobQueue: claims with
// FOR UPDATE SKIP LOCKED, leases renewed by a heartbeat), the audit log (PostgresAuditLog: the
// hash chain of CallVaultCore's AuditChain, append-only by triggers), and the worker's store
// (PostgresQueueStore: Store's QueueStore and IndexIdentityStore, synchronous over the async
// client through PostgresBlocking, the ingest transaction on one connection), the reads of `show`,
// `query` and `audit list` (PostgresCallReader), verify's index side (PostgresVerifySource),
// legal holds (PostgresHolds), retention's index side (PostgresRetentionIndex: Store's
// RetentionSource), the registry behind `numbers` (PostgresRegistry), `db migrate`
// (PostgresIndexMigration), what reports scan (PostgresReportSource: Store's ReportScanSource)
// and the report aggregates they read (PostgresReportTables, the pg-v6 migration's tables and
// trigger; PostgresAggregateStore: Store's ReportAggregateStore); accounts behind `user` (PostgresUsers), the
// caller directory (PostgresCallerDirectory), the website's logs behind `web import-*`
// (PostgresWebLog) with attribution by Store's rules at ingest and relink (PostgresAttribution),
// erasure's index side (PostgresErasureIndex: Store's ErasureSource), `keys rotate`'s
// (PostgresKeyRotationIndex: Store's KeyRotationSource), an evidence bundle's
// (PostgresEvidenceIndex: Store's EvidenceSource), and `db rebuild-aggregates`
// (PostgresAggregates).
//
// Depends on CallVaultStore for the types the worker shares with SQLite: QueueStore, Job,
// CallRecord (its columns in and out through IndexValue, so a call is encoded and decoded by the
// same code on both backends), CommitResult, SpoolArrival, RedactionAudit, RetentionStamp. It
// issues no GRDB call of its own (`db migrate` reads the SQLite index through Store's functions).
//
// Owns: every PostgreSQL statement (always bound through PostgresQuery's interpolation or
// PostgresBindings, never concatenated) and every PostgreSQL transaction boundary. Must not: read
// audio, touch archive files, parse CLI arguments, or print; decide policy (rules come from
// CallVaultCore, defaults from CallVaultSettings).
//
// Not yet (later increments of issue 20): report aggregates, the web
// application's sessions and the other commands here.
