import CallVaultPostgres
import CallVaultSettings
import CallVaultStore
import CallVaultTestSupport
import Foundation
import GRDB
import PostgresNIO
import Testing

@Suite("PostgreSQL schema: migrations under an advisory lock", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresSchemaTests {
    /// The tables the PostgreSQL schema has in common with SQLite's, and their columns there.
    static let sharedTables = ["calls", "jobs", "registry", "holds", "audit", "meta", "users", "sessions", "login_throttle", "caller_directory", "web_sessions", "callback_requests",
                               // The report aggregates (pg-v6), but for the packs: a row per quarter there (`q`), chunks of one on SQLite (`k`).
                               "report_quarters", "report_campaign_quarters", "report_first_calls", "report_caller_ids", "report_number_keys",
                               "report_area_keys", "report_number_days", "report_area_days", "report_area_quarters",
                               // Per caller, their last answered and last missed call (pg-v8).
                               "report_caller_last"]
    /// Columns only PostgreSQL has: a job's spool (`pg-v3-job-spool`), for machines with spools of
    /// their own sharing one queue (a SQLite index's jobs do not record their spool yet).
    static let postgresOnly: [String: Set<String>] = ["jobs": ["spool"]]

    private func columns(_ index: PostgresIndex, _ table: String) async throws -> Set<String> {
        let rows = try await index.query("columns of \(table)", """
            SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = \(table)
            """)
        return Set(try rows.map { try $0.decode(String.self) })
    }

    @Test("a new index gets every migration once; the tables have the SQLite index's columns, table for table")
    func sameTablesAsSQLite() async throws {
        let sqlite = try StoreFixture()
        defer { sqlite.remove() }
        let expected = try await sqlite.index.pool.read { db in
            try Dictionary(uniqueKeysWithValues: Self.sharedTables.map { table in
                (table, Set(try db.columns(in: table).map(\.name)))
            })
        }
        try await PostgresTestServer.withDatabase { url, password in
            try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                let migrator = PostgresMigrator(index: index)
                #expect(try await migrator.migrate() == ["pg-v1-index", "pg-v2-binary-text-order", "pg-v3-job-spool", "pg-v4-caller-directory", "pg-v5-web-logs", "pg-v6-report-aggregates", "pg-v7-report-packs", "pg-v8-caller-last-calls", "pg-v9-dead-air-index", "pg-v10-campaign-quarters-covering", "pg-v11-report-pack-words", "pg-v12-dead-air-counts"])
                #expect(try await migrator.migrate() == [], "a second start applies nothing")
                #expect(try await migrator.appliedMigrations() == ["pg-v1-index", "pg-v2-binary-text-order", "pg-v3-job-spool", "pg-v4-caller-directory", "pg-v5-web-logs", "pg-v6-report-aggregates", "pg-v7-report-packs", "pg-v8-caller-last-calls", "pg-v9-dead-air-index", "pg-v10-campaign-quarters-covering", "pg-v11-report-pack-words", "pg-v12-dead-air-counts"])
                for table in Self.sharedTables {
                    let pg = try await columns(index, table).subtracting(Self.postgresOnly[table] ?? [])
                    let lite = try #require(expected[table])
                    #expect(pg == lite, "\(table): only on PostgreSQL \(pg.subtracting(lite).sorted()), only on SQLite \(lite.subtracting(pg).sorted())")
                }
                // pg-v11's entry is a word: the flag in bits 62-63, the caller in 34-61, the
                // number key in 16-33, the area key in 0-15 (Store's CallerPacks.Layout.words).
                let words = try await index.query("pg-v11's entries", """
                    SELECT encode(report_pack_entry(1, 1, 1, 1), 'hex') || ' ' || encode(report_pack_entry(3, 268435455, 262143, 65535), 'hex')
                        || ' ' || encode(report_pack_entry(2, 0, 0, 0), 'hex') || ' ' || encode(report_pack_words(''::bytea), 'hex')
                    """).first?.decode(String.self)
                #expect(words == "4000000400010001 ffffffffffffffff 8000000000000000 ", "\(String(describing: words))")
                // pg-v11 rewrites pg-v7's entries (pg-v6's characters: every flag, every 6-bit field
                // at 0, 63 and between, the largest ids the words hold) into the same entries as
                // words, in order, a partial entry left out.
                let differing = try await index.query("pg-v7's entries made words", PostgresQuery(unsafeSQL: """
                    SELECT count(*) FROM (
                        SELECT f, c, n, a FROM generate_series(0, 3) f,
                            unnest(ARRAY[0, 1, 63, 64, 4095, 4096, 262143, 16777215, 268435455, 123456789]::bigint[]) c,
                            unnest(ARRAY[0, 1, 63, 64, 4095, 4096, 262143, 170000]::bigint[]) n,
                            unnest(ARRAY[0, 5, 63, 64, 4095, 65535]::bigint[]) a) v
                    WHERE report_pack_words(\(Self.characters("v.f", "v.c", "v.n", "v.a")) || \(Self.characters("3 - v.f", "v.a", "v.c & 262143", "v.n & 65535"))
                            || 'xyz'::bytea)
                        IS DISTINCT FROM report_pack_entry(v.f, v.c, v.n, v.a) || report_pack_entry(3 - v.f, v.a, v.c & 262143, v.n & 65535)
                    """)).first?.decode(Int64.self)
                #expect(differing == 0)
                // pg-v7: a quarter's pack stays in its row, uncompressed, up to a full page.
                let packs = try await index.query("the packs' storage", """
                    SELECT a.attstorage::text, array_to_string(c.reloptions, ',') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    WHERE a.attrelid = 'report_caller_packs'::regclass AND a.attname = 'entries'
                    """).first?.decode((String, String).self)
                #expect(packs?.0 == "e" && packs?.1 == "toast_tuple_target=8160", "\(String(describing: packs))")
                // pg-v11's limits: the packs serve the reports up to area key 65,535, not beyond
                // (the reports then scan).
                let store = PostgresAggregateStore(index: index)
                #expect(try await onThread { try store.aggregateAvailability().callerPacks })
                for (id, usable) in [(65_535, true), (65_536, false)] {
                    _ = try await index.query("an area key", PostgresQuery(unsafeSQL: """
                        INSERT INTO report_area_keys (id, area_code, region, place, country) OVERRIDING SYSTEM VALUE
                            VALUES (\(id), '\(id)', 'r', 'p', 'c')
                        """))
                    #expect(try await onThread { try store.aggregateAvailability().callerPacks } == usable, "area key \(id)")
                }
                let id = try await index.query("index id", "SELECT value FROM meta WHERE key = 'index_id'")
                let indexID = try #require(id.first).decode(String.self)
                #expect(UUID(uuidString: indexID) != nil, "the index has its identity")
            }
        }
    }

    /// pg-v6's entry of flag `f`, caller `c`, number key `n` and area key `a` (SQL expressions).
    static func characters(_ f: String, _ c: String, _ n: String, _ a: String) -> String {
        func six(_ v: String, _ shift: Int) -> String { "chr(48 + CAST(((\(v)) >> \(shift)) & 63 AS INT))" }
        return "convert_to(chr(48 + \(f)) || " + ([24, 18, 12, 6, 0].map { six(c, $0) } + [12, 6, 0].map { six(n, $0) } + [12, 6, 0].map { six(a, $0) })
            .joined(separator: " || ") + ", 'UTF8')"
    }

    @Test("machines starting at once: concurrent migrators on their own pools apply each migration exactly once, and all succeed")
    func concurrentMigrators() async throws {
        try await PostgresTestServer.withDatabase { url, password in
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                            try await PostgresMigrator(index: index).migrate()
                        }
                    }
                }
                var all: [[String]] = []
                for try await applied in group { all.append(applied) }
                return all
            }
            #expect(results.count == 4)
            #expect(results.filter { !$0.isEmpty } == [["pg-v1-index", "pg-v2-binary-text-order", "pg-v3-job-spool", "pg-v4-caller-directory", "pg-v5-web-logs", "pg-v6-report-aggregates", "pg-v7-report-packs", "pg-v8-caller-last-calls", "pg-v9-dead-air-index", "pg-v10-campaign-quarters-covering", "pg-v11-report-pack-words", "pg-v12-dead-air-counts"]], "one migrator did the work, the others found it done: \(results)")
            try await PostgresIndex.withRunning(url: url, password: password, logger: PostgresTestServer.logger) { index in
                let rows = try await index.query("counting", "SELECT count(*) FROM schema_migrations")
                #expect(try rows.first?.decode(Int64.self) == 12)
            }
        }
    }

    @Test("an index migrated by a newer callvault is refused before anything changes")
    func newerSchema() async throws {
        try await PostgresTestServer.withIndex { index in
            _ = try await index.query("faking a newer migration", "INSERT INTO schema_migrations (name) VALUES ('pg-v99-future')")
            let error = await #expect(throws: PostgresIndexError.self) { try await PostgresMigrator(index: index).migrate() }
            #expect(error?.kind == .newerSchema && error?.message.contains("pg-v99-future") == true, "\(String(describing: error))")
        }
    }

    @Test("a server that cannot be reached is an error naming it at once (not a wait)")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let url = try PostgresURL("postgres://callvault@127.0.0.1:1/callvault?sslmode=disable")
        let error = await #expect(throws: PostgresIndexError.self) {
            try await PostgresIndex.withRunning(url: url, password: nil, logger: PostgresTestServer.logger) { _ in }
        }
        #expect(error?.kind == .unreachable && error?.message.contains("127.0.0.1:1") == true, "\(String(describing: error))")
    }
}
