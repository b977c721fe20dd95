@testable import CallVaultReports
import CallVaultCore
@testable import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import CallVaultTestSupport
import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

@Suite("Reports from PostgreSQL's aggregates give the numbers of its full scan and of SQLite",
       .enabled(if: PostgresDatabase.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set, or no psql (scripts/test.sh sets it)"))
struct PostgresAggregateReportTests {
    static let zones = ["America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
    static let logger: Logger = {
        var logger = Logger(label: "callvault.reports.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Every report and format of the PostgreSQL index against its `--exact-scan` and against the
    /// SQLite index holding the same calls.
    static func expectSame(_ sqlite: CallIndex, _ postgres: PostgresIndex, _ context: String) throws {
        let pg = ReportIndex.scanned(PostgresReportSource(index: postgres))
        for zone in zones {
            for filter in AggregateReportTests.filters(zone: zone) {
                var scan = filter
                scan.exactScan = true
                let fast = try AggregateReportTests.renderAll(pg, filter), slow = try AggregateReportTests.renderAll(pg, scan)
                let lite = try AggregateReportTests.renderAll(.sqlite(sqlite), filter)
                for name in slow.keys.sorted() {
                    #expect(fast[name] == slow[name], "\(context): PostgreSQL's aggregates and scan differ: \(name) in \(zone), \(filter.notes.joined())")
                    #expect(fast[name] == lite[name], "\(context): PostgreSQL and SQLite differ: \(name) in \(zone), \(filter.notes.joined())")
                }
            }
        }
    }

    /// The aggregate tables with their keys resolved and the packs' calls (ids are the writers' order).
    static func tables(_ postgres: PostgresIndex) throws -> [String] {
        try PostgresAggregateStore(index: postgres).readAggregates { db in
            func rows(_ sql: String, _ columns: Int) throws -> String {
                var out: [String] = []
                try db.forEachRow(sql, []) { r in out.append(try (0..<columns).map { "\(try r.value($0))" }.joined(separator: "|")) }
                return out.sorted().joined(separator: "\n")
            }
            var entries: [CallerPacks.Entry] = []
            try CallerPacks.forEach(db, from: nil, to: nil) { entries += $0 }
            let packed = try entries.map { e in
                try rows("SELECT (SELECT caller FROM report_caller_ids WHERE id = \(e.caller)), k.campaign, k.tracking_number, k.source, k.medium, a.area_code, a.region, a.place, a.country FROM report_number_keys k, report_area_keys a WHERE k.id = \(e.number) AND a.id = \(e.area)", 9) + " \(e.q) \(e.answered)"
            }.sorted().joined(separator: "\n")
            return [
                try rows("SELECT q, outcome, calls, anonymous, talk_ms, duration_ms, dead_air FROM report_quarters", 7),
                try rows("SELECT campaign, q, outcome, calls, anonymous, talk_ms, duration_ms, dead_air FROM report_campaign_quarters", 8),
                try rows("SELECT caller, id, started_at, campaign, tracking_number, source, medium FROM report_first_calls", 7),
                try rows("SELECT caller FROM report_caller_ids", 1),
                try rows("SELECT d.day, k.campaign, k.tracking_number, k.source, k.medium, d.calls, d.answered, d.missed, d.abandoned, d.talk_ms, d.duration_ms, d.dead_air FROM report_number_days d JOIN report_number_keys k ON k.id = d.number_key", 12),
                try rows("SELECT d.day, d.campaign, k.area_code, k.region, k.place, k.country, d.calls, d.answered, d.dead_air FROM report_area_days d JOIN report_area_keys k ON k.id = d.area_key", 9),
                try rows("SELECT q, area_code, label, calls FROM report_area_quarters", 4),
                packed,
                try rows("SELECT caller_number, last_answered_at, last_missed_at FROM report_caller_last", 3),
            ]
        }
    }

    /// `body` with a new PostgreSQL index in a throwaway database (dropped after).
    static func withPostgres(_ body: (PostgresIndex) async throws -> Void) async throws {
        let database = try PostgresDatabase()
        defer { database.drop() }
        let url = try PostgresURL(database.url)
        let password = try PostgresCredentials.resolve(url: url, passwordFile: nil).password
        try await PostgresIndex.withRunning(url: url, password: password, logger: logger) { postgres in try await body(postgres) }
    }

    /// Random calls (`calls`, a week) in SQLite, and a new PostgreSQL index taken back to an
    /// earlier schema by `back` (after every migration), then given the same calls: `body` gets
    /// both and the PostgreSQL index's migrator.
    static func withEarlierSchema(seed: UInt64, calls: Int, back: [String],
                                  _ body: (CallIndex, PostgresIndex, PostgresMigrator) async throws -> Void) async throws {
        var r = try RandomIndex(seed: seed)
        defer { r.remove() }
        try r.insert(calls, from: AggregateReportTests.epoch("2026-10-28T00:00:00Z"), to: AggregateReportTests.epoch("2026-11-04T00:00:00Z"))
        let sqlite = r.index
        try await withPostgres { postgres in
            let migrator = PostgresMigrator(index: postgres)
            try await migrator.migrate()
            for sql in back { _ = try await postgres.query("back to an earlier schema", PostgresQuery(unsafeSQL: sql)) }
            _ = try await PostgresIndexMigration(source: sqlite, target: postgres).run(batch: 100)
            try await body(sqlite, postgres, migrator)
        }
    }

    /// `verify`'s differences with a sample large enough here to take every quarter.
    static func verifyEveryQuarter(_ postgres: PostgresIndex) async throws -> [String] {
        var source = PostgresVerifySource(index: postgres)
        source.aggregateSample = 100_000
        let verify = source
        return try await onThread { try verify.aggregateDifferences() }
    }

    @Test("every report and format in New York (across the fall-back night), Kolkata and Kathmandu: PostgreSQL's aggregates as its scan and as SQLite, after a copy, updates and deletes; rebuild-aggregates gives the tables the trigger kept")
    func sameAsScanAndSQLite() async throws {
        var r = try RandomIndex(seed: 23)
        defer { r.remove() }
        try r.insert(250, from: AggregateReportTests.epoch("2026-10-25T00:00:00Z"), to: AggregateReportTests.epoch("2026-11-08T00:00:00Z"))
        try r.insert(40, from: AggregateReportTests.epoch("2026-03-05T00:00:00Z"), to: AggregateReportTests.epoch("2026-03-12T00:00:00Z"))
        try r.insert(150, from: AggregateReportTests.epoch("2026-06-20T00:00:00Z"), to: AggregateReportTests.epoch("2026-08-10T00:00:00Z"))
        let sqlite = r.index
        try await Self.withPostgres { postgres in
            try await PostgresMigrator(index: postgres).migrate()
            // Every call inserted on PostgreSQL, one by one through the trigger (db migrate's copy).
            _ = try await PostgresIndexMigration(source: sqlite, target: postgres).run(batch: 100)
            let filled = try await onThread { try Self.tables(postgres) }
            #expect(filled[0].split(separator: "\n").count > 100 && filled[7].split(separator: "\n").count > 300,
                    "the trigger filled report_quarters and report_caller_packs")
            try await onThread { try Self.expectSame(sqlite, postgres, "after the copy") }

            // A registry relink, a caller correction, a moved start time, retention and erasure
            // deleting records: the same statements on both backends.
            let changes = [
                "UPDATE calls SET campaign = 'Radio', source = 'radio', medium = 'radio' WHERE tracking_number = '+14155551001'",
                "UPDATE calls SET campaign = NULL, source = NULL, medium = NULL WHERE tracking_number = '+14155551002' AND started_at < '2026-11-02'",
                "UPDATE calls SET tracking_number = '+14155551009' WHERE tracking_number = '+14155551003' AND CAST(substr(call_id, 6) AS INTEGER) % 3 = 0",
                "UPDATE calls SET caller = '+12125550001' WHERE caller = '+14155550005'",
                "UPDATE calls SET caller_place = 'Brooklyn' WHERE caller = '+16465550010' AND CAST(substr(call_id, 6) AS INTEGER) % 2 = 0",
                "UPDATE calls SET caller_area_code = NULL WHERE caller = '+19175550011'",
                "UPDATE calls SET started_at = '2026-11-01T05:45:00Z', outcome = 'answered', talk_ms = 1000 WHERE CAST(substr(call_id, 6) AS INTEGER) % 17 = 0",
                "DELETE FROM calls WHERE CAST(substr(call_id, 6) AS INTEGER) % 7 = 0",
                "DELETE FROM calls WHERE id = (SELECT id FROM report_first_calls WHERE caller = '+16465550002')",
                // One caller's every call (erasure): their number leaves the caller ids.
                "DELETE FROM calls WHERE caller = '+12125550004'",
            ]
            for sql in changes {
                try await sqlite.pool.write { db in try db.execute(sql: sql) }
                _ = try await postgres.query("changing calls", PostgresQuery(unsafeSQL: sql))
            }
            try await onThread { try Self.expectSame(sqlite, postgres, "after updates and deletes") }
            let kept = try await onThread { try Self.tables(postgres) }
            #expect(!kept[3].contains("+12125550004") && !kept[8].contains("+12125550004"), "an erased caller's number is in no derived table")
            #expect(kept[8].split(separator: "\n").count > 20, "report_caller_last has the callers")
            #expect(try await onThread { try PostgresVerifySource(index: postgres).aggregateDifferences() } == [],
                    "verify finds the trigger's tables as the calls are")

            // Rebuilt from the calls alone: the tables the trigger kept (the packs without tombstones).
            let calls = try await PostgresAggregates(index: postgres).rebuild()
            #expect(calls == (try await sqlite.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0 }))
            // Vacuumed after the commit (so index-only reads need not visit the heap), each table.
            let vacuumed = try await postgres.query("the tables' vacuums", """
                SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'report\\_%' AND last_vacuum IS NOT NULL ORDER BY relname
                """).map { try $0.decode(String.self) }
            #expect(vacuumed == PostgresAggregates.tables.sorted(), "\(vacuumed)")
            #expect(try await onThread { try Self.tables(postgres) } == kept)
            try await onThread { try Self.expectSame(sqlite, postgres, "after rebuild-aggregates") }

            // The reports read the aggregates, not the calls: a quarter's row changed by hand shows
            // in the summary (and not in --exact-scan) until rebuild-aggregates.
            _ = try await postgres.query("tampering", "UPDATE report_quarters SET calls = calls + 1000 WHERE q = (SELECT min(q) FROM report_quarters)")
            func totals() async throws -> (fast: String, scan: String) {
                try await onThread {
                    var scan = ReportFilter()
                    scan.exactScan = true
                    let source = ReportIndex.scanned(PostgresReportSource(index: postgres))
                    return (try SummaryReport.run(source, filter: ReportFilter(), by: .day).csv(),
                            try SummaryReport.run(source, filter: scan, by: .day).csv())
                }
            }
            let tampered = try await totals()
            #expect(tampered.fast != tampered.scan)
            // verify's sample, large enough here to take every quarter, finds it.
            // A pack with an entry no call has, and a first call that is not the caller's.
            _ = try await postgres.query("tampering", """
                UPDATE report_caller_packs SET n = n + 1, entries = entries || report_pack_entry(1, 1, 1, 1)
                WHERE q = (SELECT max(q) FROM report_caller_packs)
                """)
            _ = try await postgres.query("tampering", "UPDATE report_first_calls SET id = 'c0' WHERE caller = (SELECT min(caller) FROM report_first_calls)")
            // A caller's last missed call moved to 2027 by hand: `missed --unreturned` differs.
            _ = try await postgres.query("tampering", """
                UPDATE report_caller_last SET last_missed_at = '2027-01-01T00:00:00Z'
                WHERE caller_number = (SELECT min(caller_number) FROM report_caller_last WHERE last_missed_at IS NOT NULL)
                """)
            let found = try await Self.verifyEveryQuarter(postgres)
            #expect(found.count == 4, "\(found)")
            #expect(found.contains("report_caller_last: 1 callers of the sampled quarters differ from the calls"), "\(found)")
            #expect(found.contains { $0.hasPrefix("report_quarters: quarter starting 2026-03-") }, "\(found)")
            #expect(found.contains { $0.hasPrefix("report_caller_packs: quarter starting 2026-11-") }, "\(found)")
            #expect(found.contains("report_first_calls: 1 callers of the sampled quarters differ from the calls"), "\(found)")
            try await PostgresAggregates(index: postgres).rebuild()
            let rebuilt = try await totals()
            #expect(rebuilt.fast == rebuilt.scan)
            #expect(try await Self.verifyEveryQuarter(postgres) == [])
        }
    }

    @Test("an index whose packs pg-v7 wrote as characters (entries and tombstones) reads the same after pg-v11 made them words: every report as the scan and as SQLite, verify clean, the tables a rebuild gives")
    func packsRewrittenAsWords() async throws {
        // Back to pg-v10: pg-v6's entry (12 characters), pg-v11 not applied.
        func six(_ v: String, _ shift: Int) -> String { "chr(48 + CAST((\(v) >> \(shift)) & 63 AS INT))" }
        let characters = "convert_to(chr(48 + flag) || " + ([24, 18, 12, 6, 0].map { six("caller", $0) } + [12, 6, 0].map { six("number_key", $0) }
            + [12, 6, 0].map { six("area_key", $0) }).joined(separator: " || ") + ", 'UTF8')"
        let back = [
            "CREATE OR REPLACE FUNCTION report_pack_entry(flag INT, caller BIGINT, number_key BIGINT, area_key BIGINT) RETURNS BYTEA LANGUAGE sql IMMUTABLE AS $$ SELECT \(characters) $$",
            "DROP FUNCTION report_pack_words(BYTEA)",
            "DELETE FROM schema_migrations WHERE name = 'pg-v11-report-pack-words'",
        ]
        try await Self.withEarlierSchema(seed: 31, calls: 120, back: back) { sqlite, postgres, migrator in
            for sql in ["DELETE FROM calls WHERE CAST(substr(call_id, 6) AS INTEGER) % 5 = 0",
                        "UPDATE calls SET outcome = 'answered', talk_ms = 500 WHERE CAST(substr(call_id, 6) AS INTEGER) % 7 = 0"] {
                try await sqlite.pool.write { db in try db.execute(sql: sql) }
                _ = try await postgres.query("changing calls", PostgresQuery(unsafeSQL: sql))
            }
            let twelve = try await postgres.query("the packs' widths", "SELECT count(*) FROM report_caller_packs WHERE length(entries) % 12 = 0 AND length(entries) % 8 <> 0")
                .first?.decode(Int64.self) ?? 0
            #expect(twelve > 0, "pg-v10's packs hold characters")

            #expect(try await migrator.migrate() == ["pg-v11-report-pack-words"])
            try await onThread { try Self.expectSame(sqlite, postgres, "after pg-v11 rewrote pg-v7's packs") }
            #expect(try await Self.verifyEveryQuarter(postgres) == [])
            let rewritten = try await onThread { try Self.tables(postgres) }
            try await PostgresAggregates(index: postgres).rebuild()
            #expect(try await onThread { try Self.tables(postgres) } == rewritten, "the rebuild's tables (no tombstones) are the rewritten ones")
        }
    }

    @Test("an index with calls before pg-v12: the migration counts their dead air (every report as the scan and as SQLite, verify clean, the tables a rebuild gives); the trigger keeps it through changes of silences and outcome")
    func deadAirCountsMigration() async throws {
        // Back to pg-v11: pg-v6's functions and update trigger, no dead_air columns.
        var back = [
            "DELETE FROM schema_migrations WHERE name = 'pg-v12-dead-air-counts'",
            """
            ALTER TABLE report_campaign_quarters DROP CONSTRAINT report_campaign_quarters_pkey,
                ADD PRIMARY KEY (campaign, q, outcome) INCLUDE (calls, anonymous, talk_ms, duration_ms)
            """,
            PostgresReportTables.addCallFunction(deadAir: false).replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION"),
            PostgresReportTables.removeCallFunction(deadAir: false).replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION"),
            "DROP TRIGGER report_calls_update ON calls",
            PostgresReportTables.updateTrigger(PostgresReportTables.watched),
        ]
        back += ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"].map { "ALTER TABLE \($0) DROP COLUMN dead_air" }
        try await Self.withEarlierSchema(seed: 37, calls: 160, back: back) { sqlite, postgres, migrator in
            let vacuums = """
                SELECT relname, vacuum_count FROM pg_stat_user_tables
                WHERE relname IN ('report_quarters', 'report_campaign_quarters', 'report_number_days', 'report_area_days') ORDER BY relname
                """
            let before = try await postgres.query("the tables' vacuums", PostgresQuery(unsafeSQL: vacuums)).map { try $0.decode((String, Int64).self) }
            #expect(try await migrator.migrate() == ["pg-v12-dead-air-counts"])
            // The rewritten tables vacuumed after the commit (their index-only reads need not visit the heap).
            let after = try await postgres.query("the tables' vacuums", PostgresQuery(unsafeSQL: vacuums)).map { try $0.decode((String, Int64).self) }
            #expect(after.count == 4 && zip(before, after).allSatisfy { $0.0 == $1.0 && $1.1 == $0.1 + 1 }, "\(before) → \(after)")
            try await onThread {
                try Self.expectSame(sqlite, postgres, "after pg-v12 counted the calls' dead air")
                // Some calls have dead air, and the reports count it.
                let summary = try SummaryReport.run(.scanned(PostgresReportSource(index: postgres)), filter: ReportFilter(), by: .day)
                let column = try #require(summary.columns.firstIndex(of: "dead_air_calls"))
                let listed = try DeadAirReport.run(.scanned(PostgresReportSource(index: postgres)), filter: ReportFilter(), thresholdMs: 10_000)
                #expect(listed.rows.count > 5 && summary.rows.last?[column] == .int(listed.rows.count))
            }
            #expect(try await Self.verifyEveryQuarter(postgres) == [])
            // The trigger: dead air taken away (silences cleared, an outcome changed) and given.
            for sql in [
                "UPDATE calls SET silences = '[]', longest_silence_ms = 0 WHERE CAST(substr(call_id, 6) AS INTEGER) % 3 = 0 AND outcome = 'answered'",
                "UPDATE calls SET outcome = 'missed', talk_ms = 0 WHERE CAST(substr(call_id, 6) AS INTEGER) % 5 = 0 AND longest_silence_ms > 10000",
                """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":20100}]', longest_silence_ms = 20000
                WHERE CAST(substr(call_id, 6) AS INTEGER) % 7 = 0 AND outcome = 'answered' AND duration_ms > 20100
                """,
                // At the threshold (not dead air), just over it, and the silences alone changed (a
                // long silence moved to the start).
                """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":10100}]', longest_silence_ms = 10000
                WHERE CAST(substr(call_id, 6) AS INTEGER) % 13 = 0 AND outcome = 'answered' AND duration_ms > 10100
                """,
                """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":10101}]', longest_silence_ms = 10001
                WHERE CAST(substr(call_id, 6) AS INTEGER) % 17 = 0 AND outcome = 'answered' AND duration_ms > 10101
                """,
                """
                UPDATE calls SET silences = '[{"start_ms":0,"end_ms":' || longest_silence_ms || '}]'
                WHERE CAST(substr(call_id, 6) AS INTEGER) % 19 = 0 AND outcome = 'answered' AND longest_silence_ms > 10000
                """,
                // Items a hand edit could leave: not objects, a field missing. No silence, no failure.
                """
                UPDATE calls SET silences = '[1, "x", null, [2], {"start_ms":100}, {"end_ms":30000}]', longest_silence_ms = 20000
                WHERE CAST(substr(call_id, 6) AS INTEGER) % 23 = 0 AND outcome = 'answered'
                """,
                "DELETE FROM calls WHERE CAST(substr(call_id, 6) AS INTEGER) % 11 = 0",
            ] {
                try await sqlite.pool.write { db in try db.execute(sql: sql) }
                _ = try await postgres.query("changing calls", PostgresQuery(unsafeSQL: sql))
            }
            try await onThread { try Self.expectSame(sqlite, postgres, "after changes of silences and outcomes") }
            #expect(try await Self.verifyEveryQuarter(postgres) == [])
            let kept = try await onThread { try Self.tables(postgres) }
            // verify's sample compares each table's dead air with the calls.
            for table in ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"] {
                _ = try await postgres.query("changing dead air", PostgresQuery(unsafeSQL: "UPDATE \(table) SET dead_air = dead_air + 1"))
            }
            let found = try await Self.verifyEveryQuarter(postgres)
            for table in ["report_quarters", "report_campaign_quarters", "report_number_days", "report_area_days"] {
                #expect(found.contains { $0.hasPrefix(table + ": ") }, "\(table): \(found)")
            }
            try await PostgresAggregates(index: postgres).rebuild()
            #expect(try await onThread { try Self.tables(postgres) } == kept, "the rebuild's tables are the ones the trigger kept")
        }
    }

    @Test("callers --top over more callers than one statement looks up, on PostgreSQL: the same tables as its scan and as SQLite (150 and 700 of 620 callers; 200 campaigns named)")
    func manyTopCallers() async throws {
        var r = try RandomIndex(seed: 5)
        defer { r.remove() }
        try AggregateReportTests.insertManyCallers(&r)
        let sqlite = r.index
        try await Self.withPostgres { postgres in
            try await PostgresMigrator(index: postgres).migrate()
            _ = try await PostgresIndexMigration(source: sqlite, target: postgres).run(batch: 500)
            try await onThread { try Self.expectSameCallers(sqlite, postgres) }
        }
    }

    static func expectSameCallers(_ sqlite: CallIndex, _ postgres: PostgresIndex) throws {
        let pg = ReportIndex.scanned(PostgresReportSource(index: postgres))
        for (filter, top) in AggregateReportTests.manyCallerFilters {
            var scan = filter
            scan.exactScan = true
            let fast = try CallersReport.run(pg, filter: filter, top: top), slow = try CallersReport.run(pg, filter: scan, top: top)
            let lite = try CallersReport.run(.sqlite(sqlite), filter: filter, top: top)
            let context = "top \(top), \(filter.campaigns.count) campaigns"
            #expect(filter.campaigns.isEmpty ? fast.1.rows.count == min(top, 620) : fast.1.rows.count > 300, "\(fast.1.rows.count) rows: \(context)")
            #expect(try fast.1.json() == slow.1.json() && fast.0.csv() == slow.0.csv(), "aggregates and scan: \(context)")
            #expect(try fast.1.json() == lite.1.json() && fast.0.csv() == lite.0.csv(), "PostgreSQL and SQLite: \(context)")
        }
    }
}
