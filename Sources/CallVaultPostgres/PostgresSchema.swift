/// The PostgreSQL index's schema as history, as SQLite's `Schema` is: each change a named
/// migration, never edited once released (a later change is a new one appended at the end).
///
/// The first migration is the SQLite schema's state at its `v14-pci-redactions`, for the tables
/// the queue, the calls, attribution, holds, accounts and the audit log need (the report
/// aggregates, the caller directory and the web log come with the commands that use them, later). The
/// types keep SQLite's values as they are: times as the same text, JSON as the same text, queue
/// times as seconds (DOUBLE PRECISION), so a moved index reads back byte for byte.
enum PostgresSchema {
    struct Migration: Sendable {
        var name: String
        /// One statement each (postgres-nio's extended protocol runs one at a time).
        var statements: [String]
        /// Tables to `VACUUM (ANALYZE)` after the commit (it cannot run in a transaction): those
        /// whose rows the migration rewrote, so index-only reads do not go to the heap for each
        /// row until autovacuum comes by.
        var vacuumAfter: [String] = []
    }

    static let migrations: [Migration] = [
        Migration(name: "pg-v1-index", statements: [
            """
            CREATE TABLE calls (
                id TEXT PRIMARY KEY,
                call_id TEXT NOT NULL UNIQUE,
                caller TEXT,
                caller_raw TEXT,
                caller_valid BOOLEAN,
                caller_name TEXT,
                tracking_number TEXT NOT NULL,
                tracking_number_raw TEXT,
                started_at TEXT NOT NULL,
                duration_ms BIGINT NOT NULL,
                talk_ms BIGINT NOT NULL,
                outcome TEXT NOT NULL,
                longest_silence_ms BIGINT NOT NULL,
                leading_silence_ms BIGINT NOT NULL,
                silences TEXT NOT NULL,
                channels BIGINT NOT NULL,
                channel_roles TEXT,
                sample_rate BIGINT NOT NULL,
                source_format TEXT NOT NULL,
                source_name TEXT NOT NULL,
                disposition TEXT,
                switch_duration_ms BIGINT,
                archive_path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                bytes BIGINT NOT NULL,
                source_bytes BIGINT NOT NULL,
                source_sha256 TEXT NOT NULL,
                metadata TEXT NOT NULL,
                extra TEXT NOT NULL,
                warnings TEXT NOT NULL,
                ingested_at TEXT NOT NULL,
                campaign TEXT,
                source TEXT,
                medium TEXT,
                registry_id BIGINT,
                caller_area_code TEXT,
                caller_region TEXT,
                caller_place TEXT,
                caller_country TEXT,
                retain_audio_until TEXT,
                retain_record_until TEXT,
                retention_rule TEXT,
                audio_purged_at TEXT,
                channel_activity TEXT,
                opus_sha256 TEXT,
                direction TEXT,
                callee TEXT,
                callback_request_id TEXT,
                attribution TEXT,
                redactions TEXT NOT NULL DEFAULT '[]',
                dtmf_tones_masked BIGINT NOT NULL DEFAULT 0,
                redacted_fields TEXT NOT NULL DEFAULT '[]'
            )
            """,
            "CREATE INDEX calls_started_at ON calls (started_at)",
            "CREATE INDEX calls_tracking_number ON calls (tracking_number, started_at)",
            "CREATE INDEX calls_caller ON calls (caller, started_at)",
            "CREATE INDEX calls_campaign ON calls (campaign, started_at)",
            "CREATE INDEX calls_source ON calls (source, started_at)",
            "CREATE INDEX calls_outcome ON calls (outcome, started_at)",
            "CREATE INDEX calls_retain_audio ON calls (retain_audio_until)",
            "CREATE INDEX calls_retain_record ON calls (retain_record_until)",
            "CREATE INDEX calls_outbound ON calls (started_at) WHERE direction = 'outbound'",
            "CREATE INDEX calls_redacted ON calls (started_at) WHERE (redactions <> '[]' OR redacted_fields <> '[]')",
            """
            CREATE TABLE jobs (
                id BIGSERIAL PRIMARY KEY,
                stem TEXT NOT NULL UNIQUE,
                audio_name TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'archived', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                claims INTEGER NOT NULL DEFAULT 0,
                available_at DOUBLE PRECISION NOT NULL,
                lease_owner TEXT,
                lease_expires_at DOUBLE PRECISION,
                record_id TEXT,
                last_error TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX jobs_state ON jobs (state, available_at)",
            """
            CREATE TABLE registry (
                id BIGSERIAL PRIMARY KEY,
                tracking_number TEXT NOT NULL,
                campaign TEXT NOT NULL,
                source TEXT,
                medium TEXT,
                valid_from TEXT,
                valid_to TEXT,
                line BIGINT,
                imported_at TEXT NOT NULL,
                imported_from TEXT,
                metadata TEXT NOT NULL DEFAULT '{}',
                pool TEXT
            )
            """,
            "CREATE INDEX registry_number ON registry (tracking_number, valid_from)",
            """
            CREATE TABLE holds (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL,
                reason TEXT NOT NULL,
                placed_by TEXT NOT NULL,
                placed_at TEXT NOT NULL,
                call_ids TEXT,
                campaign TEXT,
                caller TEXT,
                tracking_number TEXT,
                since TEXT,
                until TEXT,
                removed_at TEXT,
                removed_by TEXT,
                removal_reason TEXT
            )
            """,
            "CREATE UNIQUE INDEX holds_active_name ON holds (name) WHERE removed_at IS NULL",
            // seq is written by the appender under a lock (no sequence): a rolled-back append must
            // not leave a gap that the chain check would report as a deleted entry.
            """
            CREATE TABLE audit (
                seq BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                action TEXT NOT NULL,
                ids TEXT NOT NULL,
                reason TEXT NOT NULL,
                sha256 TEXT,
                version TEXT NOT NULL,
                os_user TEXT NOT NULL,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            // Append-only, as on SQLite: updates and deletes are refused by triggers; TRUNCATE too,
            // which row triggers do not see.
            """
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END
            $$
            """,
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            // The id the archive root's marker file names (IndexIdentity on SQLite).
            "INSERT INTO meta (key, value) VALUES ('index_id', gen_random_uuid()::text)",
            """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                token_sha256 TEXT UNIQUE,
                created_at TEXT NOT NULL,
                password_changed_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                id_sha256 TEXT PRIMARY KEY,
                "user" TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
                csrf TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                address TEXT
            )
            """,
            "CREATE INDEX sessions_user ON sessions (\"user\")",
            """
            CREATE TABLE login_throttle (
                key TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                first_failure_at DOUBLE PRECISION NOT NULL,
                locked_until DOUBLE PRECISION
            )
            """,
        ]),
        // Text compared and sorted as SQLite does, byte by byte: a database created with a
        // language's collation (en_US.UTF-8) would order `started_at`, numbers and ids by its
        // rules instead, and queries and reports would differ between the backends.
        Migration(name: "pg-v2-binary-text-order", statements: [
            """
            DO $$
            DECLARE c record;
            BEGIN
                FOR c IN SELECT table_name, column_name FROM information_schema.columns
                         WHERE table_schema = current_schema() AND data_type = 'text'
                           AND table_name IN ('calls', 'jobs', 'registry', 'holds', 'audit', 'meta')
                         ORDER BY table_name, ordinal_position
                LOOP
                    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE TEXT COLLATE "C"', c.table_name, c.column_name);
                END LOOP;
            END
            $$
            """,
        ]),
        // Jobs carry their spool's id (SPOOL/.callvault-spool): machines with spools of their own
        // share the queue without taking each other's pairs, and two spools may use one stem.
        // Jobs queued before have '' (claimed by no spool's worker: their pairs are queued again).
        Migration(name: "pg-v3-job-spool", statements: [
            #"ALTER TABLE jobs ADD COLUMN spool TEXT COLLATE "C" NOT NULL DEFAULT ''"#,
            "ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_stem_key",
            "CREATE UNIQUE INDEX jobs_spool_stem ON jobs (spool, stem)",
        ]),
        // The caller directory (`callvault directory`), as SQLite's `caller_directory` (v9); text
        // byte-ordered, as pg-v2 made the others.
        Migration(name: "pg-v4-caller-directory", statements: [
            """
            CREATE TABLE caller_directory (
                number TEXT COLLATE "C" PRIMARY KEY,
                name TEXT COLLATE "C",
                company TEXT COLLATE "C",
                address TEXT COLLATE "C",
                city TEXT COLLATE "C",
                region TEXT COLLATE "C",
                postal_code TEXT COLLATE "C",
                country TEXT COLLATE "C",
                customer_id TEXT COLLATE "C",
                email TEXT COLLATE "C",
                imported_at TEXT COLLATE "C" NOT NULL,
                imported_from TEXT COLLATE "C" NOT NULL
            )
            """,
        ]),
        // The website's logs that attribute calls (`callvault web import-*`), as SQLite's
        // `web_sessions` and `callback_requests` (v8), so pool sessions and call-backs attribute
        // calls on PostgreSQL too; text byte-ordered, as the rules compare and sort times as text.
        Migration(name: "pg-v5-web-logs", statements: [
            """
            CREATE TABLE web_sessions (
                session_id TEXT COLLATE "C" PRIMARY KEY,
                pool_number TEXT COLLATE "C" NOT NULL,
                first_seen TEXT COLLATE "C" NOT NULL,
                last_seen TEXT COLLATE "C" NOT NULL,
                utm_source TEXT COLLATE "C",
                utm_medium TEXT COLLATE "C",
                utm_campaign TEXT COLLATE "C",
                utm_term TEXT COLLATE "C",
                utm_content TEXT COLLATE "C",
                keyword TEXT COLLATE "C",
                landing_page TEXT COLLATE "C",
                referrer TEXT COLLATE "C",
                gclid TEXT COLLATE "C",
                imported_at TEXT COLLATE "C" NOT NULL,
                imported_from TEXT COLLATE "C" NOT NULL
            )
            """,
            "CREATE INDEX web_sessions_pool ON web_sessions (pool_number, last_seen)",
            """
            CREATE TABLE callback_requests (
                request_id TEXT COLLATE "C" PRIMARY KEY,
                phone TEXT COLLATE "C" NOT NULL,
                requested_at TEXT COLLATE "C" NOT NULL,
                utm_source TEXT COLLATE "C",
                utm_medium TEXT COLLATE "C",
                utm_campaign TEXT COLLATE "C",
                utm_term TEXT COLLATE "C",
                utm_content TEXT COLLATE "C",
                landing_page TEXT COLLATE "C",
                referrer TEXT COLLATE "C",
                gclid TEXT COLLATE "C",
                imported_at TEXT COLLATE "C" NOT NULL,
                imported_from TEXT COLLATE "C" NOT NULL
            )
            """,
            "CREATE INDEX callback_requests_phone ON callback_requests (phone, requested_at)",
        ]),
        // The report aggregates (issue 17), as SQLite's at v17: tables, the trigger that keeps
        // them, and their fill from the calls (PostgresReportTables).
        Migration(name: "pg-v6-report-aggregates", statements: PostgresReportTables.createStatements),
        Migration(name: "pg-v7-report-packs", statements: PostgresReportTables.packsStatements),
        Migration(name: "pg-v8-caller-last-calls", statements: PostgresCallerLastTables.createStatements),
        // `report dead-air`'s candidates, as SQLite's `calls_dead_air` (Store's DeadAirIndex): the
        // answered calls whose longest silence is over 10 s, by start (10M calls, a month: a scan
        // of the month's calls, 2.8 s).
        Migration(name: "pg-v9-dead-air-index", statements: [
            """
            CREATE INDEX calls_dead_air ON calls (started_at)
                WHERE outcome = 'answered' AND longest_silence_ms > 10000
            """,
        ]),
        // A campaign's quarter rows read from the primary key alone (an index-only scan): the table's
        // rows of one campaign lie among the other campaigns' (SQLite's WITHOUT ROWID table keeps
        // them together), so a year of one campaign read a heap page per row (10M calls: 29,000
        // pages, 0.12–0.7 s; now 8 ms).
        Migration(name: "pg-v10-campaign-quarters-covering", statements: [
            """
            ALTER TABLE report_campaign_quarters DROP CONSTRAINT report_campaign_quarters_pkey,
                ADD PRIMARY KEY (campaign, q, outcome) INCLUDE (calls, anonymous, talk_ms, duration_ms)
            """,
        ]),
        Migration(name: "pg-v11-report-pack-words", statements: PostgresReportTables.packWordsStatements),
        // The answered calls with dead air counted in the quarter and day sums (PostgresReportTables+Functions).
        Migration(name: "pg-v12-dead-air-counts", statements: PostgresReportTables.deadAirStatements,
                  vacuumAfter: ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"]),
    ]

    /// The names this build knows; an index with others was migrated by a newer callvault.
    static var knownNames: Set<String> { Set(migrations.map(\.name)) }
}
