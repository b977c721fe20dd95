import Foundation
import GRDB

/// The index's schema as history: each change is a named migration that is never edited.
/// Tests open databases made by earlier versions and migrate them.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-calls-and-jobs") { db in
            try db.create(table: "calls") { t in
                t.primaryKey("id", .text)
                t.column("call_id", .text).notNull().unique()
                t.column("caller", .text)
                t.column("caller_raw", .text)
                t.column("caller_valid", .boolean)
                t.column("caller_name", .text)
                t.column("tracking_number", .text).notNull()
                t.column("tracking_number_raw", .text)
                t.column("started_at", .text).notNull()
                t.column("duration_ms", .integer).notNull()
                t.column("talk_ms", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("longest_silence_ms", .integer).notNull()
                t.column("leading_silence_ms", .integer).notNull()
                t.column("silences", .jsonText).notNull()
                t.column("channels", .integer).notNull()
                t.column("channel_roles", .jsonText)
                t.column("sample_rate", .integer).notNull()
                t.column("source_format", .text).notNull()
                t.column("source_name", .text).notNull()
                t.column("disposition", .text)
                t.column("switch_duration_ms", .integer)
                t.column("archive_path", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("source_bytes", .integer).notNull()
                t.column("source_sha256", .text).notNull()
                t.column("metadata", .jsonText).notNull()
                t.column("extra", .jsonText).notNull()
                t.column("warnings", .jsonText).notNull()
                t.column("ingested_at", .text).notNull()
            }
            try db.create(index: "calls_started_at", on: "calls", columns: ["started_at"])
            try db.create(index: "calls_tracking_number", on: "calls", columns: ["tracking_number", "started_at"])
            try db.create(index: "calls_caller", on: "calls", columns: ["caller", "started_at"])

            try db.create(table: "jobs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("stem", .text).notNull().unique()
                t.column("audio_name", .text).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("claims", .integer).notNull().defaults(to: 0)
                t.column("available_at", .double).notNull()
                t.column("lease_owner", .text)
                t.column("lease_expires_at", .double)
                t.column("record_id", .text)
                t.column("last_error", .text)
                t.column("created_at", .double).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "jobs_state", on: "jobs", columns: ["state", "available_at"])
        }
        migrator.registerMigration("v2-attribution") { db in
            try db.create(table: "registry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("tracking_number", .text).notNull()
                t.column("campaign", .text).notNull()
                t.column("source", .text)
                t.column("medium", .text)
                t.column("valid_from", .text)
                t.column("valid_to", .text)
                t.column("line", .integer)
                t.column("imported_at", .text).notNull()
                t.column("imported_from", .text)
            }
            try db.create(index: "registry_number", on: "registry", columns: ["tracking_number", "valid_from"])
            try db.alter(table: "calls") { t in
                t.add(column: "campaign", .text)
                t.add(column: "source", .text)
                t.add(column: "medium", .text)
                t.add(column: "registry_id", .integer)
                t.add(column: "caller_area_code", .text)
                t.add(column: "caller_region", .text)
                t.add(column: "caller_place", .text)
                t.add(column: "caller_country", .text)
            }
            try db.create(index: "calls_campaign", on: "calls", columns: ["campaign", "started_at"])
            try db.create(index: "calls_source", on: "calls", columns: ["source", "started_at"])
            try db.create(index: "calls_outcome", on: "calls", columns: ["outcome", "started_at"])
        }
        migrator.registerMigration("v3-retention-holds-audit") { db in
            try db.alter(table: "calls") { t in
                t.add(column: "retain_audio_until", .text)
                t.add(column: "retain_record_until", .text)
                t.add(column: "retention_rule", .text)
                t.add(column: "audio_purged_at", .text)
            }
            try db.create(index: "calls_retain_audio", on: "calls", columns: ["retain_audio_until"])
            try db.create(index: "calls_retain_record", on: "calls", columns: ["retain_record_until"])
            try db.create(table: "holds") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("placed_by", .text).notNull()
                t.column("placed_at", .text).notNull()
                t.column("call_ids", .jsonText)
                t.column("campaign", .text)
                t.column("caller", .text)
                t.column("tracking_number", .text)
                t.column("since", .text)
                t.column("until", .text)
                t.column("removed_at", .text)
                t.column("removed_by", .text)
                t.column("removal_reason", .text)
            }
            try db.execute(sql: "CREATE UNIQUE INDEX holds_active_name ON holds(name) WHERE removed_at IS NULL")
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("at", .text).notNull()
                t.column("action", .text).notNull()
                t.column("ids", .jsonText).notNull()
                t.column("reason", .text).notNull()
                t.column("sha256", .text)
                t.column("version", .text).notNull()
                t.column("os_user", .text).notNull()
                t.column("details", .jsonText).notNull()
                t.column("prev_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            // Append-only: the tool never updates or deletes audit rows; a hand edit breaks the hash chain.
            try db.execute(sql: "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
            try db.execute(sql: "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v4-index-identity") { db in
            // The id the archive root's marker file names (see IndexIdentity.swift); an index
            // made before this migration gets one here.
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('index_id', ?)",
                           arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("v5-registry-metadata") { db in
            // Registry CSV columns beyond the known ones (`notes`, `agency`…), kept as a JSON object.
            try db.alter(table: "registry") { t in t.add(column: "metadata", .jsonText).notNull().defaults(to: "{}") }
        }
        migrator.registerMigration("v6-renormalise-numbers") { db in
            // "1" is what this migration has always read with; only international notations are
            // read again, so the configured country would change nothing (and history is frozen).
            try NumberRenormalisation.migrate(db, countryCode: "1")
        }
        // The web application's accounts (`callvault user`, `callvault serve`): users with a bcrypt
        // hash and an optional API token (SHA-256 of it only), sessions (SHA-256 of the cookie value),
        // and login throttling per user and per address.
        migrator.registerMigration("v7-users-sessions") { db in
            try db.create(table: "users") { t in
                t.primaryKey("name", .text)
                t.column("role", .text).notNull()
                t.column("password_hash", .text).notNull()
                t.column("token_sha256", .text).unique()
                t.column("created_at", .text).notNull()
                t.column("password_changed_at", .text).notNull()
            }
            try db.create(table: "sessions") { t in
                t.primaryKey("id_sha256", .text)
                t.column("user", .text).notNull().references("users", column: "name", onDelete: .cascade)
                t.column("csrf", .text).notNull()
                t.column("created_at", .double).notNull()
                t.column("expires_at", .double).notNull()
                t.column("address", .text)
            }
            try db.create(index: "sessions_user", on: "sessions", columns: ["user"])
            try db.create(table: "login_throttle") { t in
                t.primaryKey("key", .text)
                t.column("failures", .integer).notNull()
                t.column("first_failure_at", .double).notNull()
                t.column("locked_until", .double)
            }
        }
        migrator.registerMigration("v8-report-aggregates") { db in
            // Per-quarter aggregates kept by triggers, two indexes for the listing reports, and
            // the backfill from the calls already there (see ReportAggregates.swift).
            try ReportAggregates.migrate(db)
        }
        migrator.registerMigration("v9-caller-directory") { db in
            // Who a caller's number belongs to (`callvault directory import`); see CallerDirectory.swift.
            try CallerDirectory.migrate(db)
        }
        migrator.registerMigration("v10-channel-activity") { db in
            // Each channel's activity runs (`analyze --json`'s `channel_activity`), for the call
            // page's one lane per channel; calls archived before stay null and show one lane.
            try db.alter(table: "calls") { t in t.add(column: "channel_activity", .jsonText) }
        }
        migrator.registerMigration("v11-opus-sha256") { db in
            // The plaintext Opus's SHA-256 beside the stored file's (they differ once the file is
            // encrypted, `ID.opus.age`); every earlier call was stored plain, so it is its sha256.
            try db.alter(table: "calls") { t in t.add(column: "opus_sha256", .text) }
            try db.execute(sql: "UPDATE calls SET opus_sha256 = sha256")
        }
        migrator.registerMigration("v12-web-attribution") { db in
            // Web call-back and number pools: the registry's `pool`, a call's direction, callee and
            // `attribution`, the imported sessions and call-back requests (see WebLog.swift).
            try WebLog.migrate(db)
        }
        migrator.registerMigration("v13-report-aggregates-2") { db in
            // dead-air's index keeps only the calls with a silence over 10 s (DeadAirIndex.swift);
            // calls per quarter and area code for the html charts (AreaAggregates.swift).
            try DeadAirIndex.migrate(db)
            try AreaAggregates.migrate(db)
        }
        migrator.registerMigration("v14-pci-redactions") { db in
            // What was kept out of the archive (see RedactionAudit.swift): silenced spans, DTMF key
            // presses counted, sidecar fields whose card number was replaced. Older calls: none.
            try db.alter(table: "calls") { t in
                t.add(column: "redactions", .jsonText).notNull().defaults(to: "[]")
                t.add(column: "dtmf_tones_masked", .integer).notNull().defaults(to: 0)
                t.add(column: "redacted_fields", .jsonText).notNull().defaults(to: "[]")
            }
            // The condition is CallQuery.redactedCondition, written out: history does not follow later edits.
            try db.execute(sql: "CREATE INDEX calls_redacted ON calls(started_at) WHERE (redactions <> '[]' OR redacted_fields <> '[]')")
        }
        migrator.registerMigration("v15-report-dimensions") { db in
            // Per-day aggregates by tracking number (campaign, source, medium) and caller area, and
            // which caller called which of them each day, with integer keys (DimensionAggregates.swift).
            try DimensionAggregates.migrate(db)
        }
        migrator.registerMigration("v16-caller-packs") { db in
            // Callers per quarter as packed entries, one per call (CallerPacks.swift), instead of a
            // row per caller and quarter (report_callers) and per caller and day (report_caller_days).
            try ReportAggregates.migrateToV16(db)
            try DimensionAggregates.migrateToPacks(db)
        }
        migrator.registerMigration("v17-caller-last-calls") { db in
            // Per caller, the last answered and the last missed call (CallerLastCalls.swift): the
            // candidates of `report missed --unreturned` without a seek per missed call.
            try CallerLastCalls.migrate(db)
        }
        migrator.registerMigration("v18-dead-air-counts") { db in
            // The answered calls with dead air counted in the quarter and day sums (DeadAirCounts.swift).
            try DeadAirCounts.migrate(db)
        }
        return migrator
    }

    /// The newest migration this build knows; a database with others was written by a newer callvault.
    static var knownMigrations: Set<String> { Set(migrator.migrations) }
}
