@testable import CallVaultReports
@testable import CallVaultStore
import CallVaultArchive
import CallVaultCore
import Foundation
import GRDB
import Testing

/// A real SQLite index (the real migrations, triggers included) filled with random calls.
struct RandomIndex {
    let dir: String
    let index: CallIndex
    var rng: SplitMix
    var next = 0

    init(seed: UInt64) throws {
        let store = try StoreFixture(name: "agg")
        dir = store.folder.path
        index = store.index
        rng = SplitMix(seed: seed)
    }

    static let campaigns: [String?] = ["Radio", "Search", "Print", "Social", nil]
    static let callers: [String?] = (0..<40).map { i in String(format: "+1%03d555%04d", [212, 415, 646, 917][i % 4], i) } + [nil, nil]

    /// `count` calls with random times in [from, to): repeat callers, anonymous calls, unassigned
    /// campaigns, some pairs from one caller in the same second (the first-call tie rule).
    mutating func insert(_ count: Int, from: Int, to: Int) throws {
        try index.pool.write { db in
            for _ in 0..<count {
                let t = from + Int(rng.next() % UInt64(to - from))
                let caller = Self.callers[Int(rng.next() % UInt64(Self.callers.count))]
                try insertOne(db, at: t, caller: caller)
                if rng.next() % 20 == 0 { try insertOne(db, at: t, caller: caller) }
            }
        }
    }

    mutating func insertOne(_ db: Database, at t: Int, caller: String?) throws {
        next += 1
        let outcome = ["answered", "answered", "missed", "abandoned"][Int(rng.next() % 4)]
        let duration = 1000 + Int(rng.next() % 600_000)
        let talk = outcome == "answered" ? duration * 7 / 10 : 0
        let silence = outcome == "answered" ? Int(rng.next() % 30_000) : 0
        // Inner, leading, trailing, or a leading one longest and an inner one two thirds of it
        // (dead air only when inner and over 10 s): from the call's number, not the generator,
        // so the random calls stay the ones earlier tests drew.
        let end = duration + 2000
        let silences = silence == 0 ? "[]" : [
            "[{\"start_ms\":500,\"end_ms\":\(500 + silence)}]",
            "[{\"start_ms\":0,\"end_ms\":\(silence)}]",
            "[{\"start_ms\":\(end - silence),\"end_ms\":\(end)}]",
            "[{\"start_ms\":0,\"end_ms\":\(silence)},{\"start_ms\":\(silence + 400),\"end_ms\":\(silence + 400 + silence * 2 / 3)}]",
        ][next % 4]
        let started = Timestamp.format(Date(timeIntervalSince1970: Double(t)))
        let campaign = Self.campaigns[Int(rng.next() % UInt64(Self.campaigns.count))]
        let id = String(format: "c%06d", Int(rng.next() % 1_000_000)) + "-\(next)"
        try db.execute(sql: """
            INSERT INTO calls (id, call_id, caller, caller_valid, tracking_number, started_at, duration_ms, talk_ms, outcome,
                longest_silence_ms, leading_silence_ms, silences, channels, sample_rate, source_format, source_name, archive_path,
                sha256, bytes, source_bytes, source_sha256, metadata, extra, warnings, ingested_at, campaign, source, caller_area_code,
                caller_region, caller_country, caller_place, medium)
            VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 0, ?, 1, 8000, 'WAV', 'x.wav', 'x.opus', '', 0, 0, '', '{}', '{}', '[]', ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, "call-\(next)", caller, "+1415555100\(next % 4)", started, duration + 2000, talk, outcome, silence, silences,
                             started, campaign, campaign.map { $0.lowercased() }, caller.map { String($0.dropFirst(2).prefix(3)) },
                             caller == nil ? nil : "NY", caller == nil ? nil : "US",
                             caller.flatMap { $0.hasSuffix("3") ? "Albany" : $0.hasSuffix("7") ? "" : nil },
                             // A medium for some campaigns, an empty one for one, none for the rest.
                             campaign.flatMap { ["Radio": "radio", "Search": "cpc", "Print": ""][$0] }])
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

@Suite("Reports from the aggregates give the numbers of the full scan")
struct AggregateReportTests {
    static let zones = ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
    static func epoch(_ s: String) -> Int { Clock.epoch(s) }
    static func date(_ s: String) -> Date { Date(timeIntervalSince1970: Double(epoch(s))) }

    /// Filters: everything; bounds off the quarter grid around the New York fall-back night; two
    /// campaigns; a range inside one quarter; a start only; ends late in their days, one campaign.
    static func filters(zone: String) -> [ReportFilter] {
        var all = ReportFilter()
        all.timeZone = TimeZone(identifier: zone)!
        var odd = all
        odd.since = date("2026-10-29T10:07:13Z")
        odd.until = date("2026-11-03T03:52:00Z")
        var campaign = odd
        campaign.campaigns = ["Radio", "Print"]
        var tiny = all
        tiny.since = date("2026-11-01T05:31:00Z")
        tiny.until = date("2026-11-01T05:44:00Z")
        var sinceOnly = all
        sinceOnly.since = date("2026-11-01T06:00:00Z")
        // Ends late in their UTC days: the day tables' start edge added, the end edge subtracted
        // (`odd` is the other way round).
        var late = all
        late.since = date("2026-10-28T19:30:00Z")
        late.until = date("2026-11-04T20:15:00Z")
        late.campaigns = ["Search"]
        return [all, odd, campaign, tiny, sinceOnly, late]
    }

    /// Every report of `index`, rendered in text, CSV and JSON.
    static func renderAll(_ index: CallIndex, _ filter: ReportFilter) throws -> [String: String] {
        try renderAll(.sqlite(index), filter)
    }

    /// Every report of `index` on either backend, rendered in text, CSV and JSON.
    static func renderAll(_ index: ReportIndex, _ filter: ReportFilter) throws -> [String: String] {
        var out: [String: String] = [:]
        func put(_ name: String, _ tables: [ReportTable]) throws {
            out[name + ".text"] = tables.map { $0.text() }.joined(separator: "\n")
            out[name + ".csv"] = tables.map { $0.csv() }.joined(separator: "\n")
            out[name + ".json"] = try tables.map { try $0.json() }.joined(separator: "\n")
        }
        for g in SummaryReport.Grouping.allCases { try put("summary-\(g.rawValue)", [try SummaryReport.run(index, filter: filter, by: g)]) }
        let (callers, top) = try CallersReport.run(index, filter: filter, top: 8)
        try put("callers", [callers, top])
        try put("hours", [try HoursReport.run(index, filter: filter)])
        try put("area-codes", [try AreaCodesReport.run(index, filter: filter)])
        try put("missed", [try MissedReport.run(index, filter: filter, unreturnedOnly: false)])
        try put("missed-unreturned", [try MissedReport.run(index, filter: filter, unreturnedOnly: true)])
        try put("dead-air", [try DeadAirReport.run(index, filter: filter, thresholdMs: 10_000)])
        // Under calls_dead_air's 10 s floor the report reads the answered calls; above, the index.
        try put("dead-air-5s", [try DeadAirReport.run(index, filter: filter, thresholdMs: 5_000)])
        try put("dead-air-20s", [try DeadAirReport.run(index, filter: filter, thresholdMs: 20_000)])
        var c = filter
        if c.campaigns.isEmpty { c.campaigns = ["Search"] }
        // The four charts of --format html, rendered (a fixed generation time).
        out["charts.html"] = HTMLReport.render(tables: [], charts: try HTMLReport.charts(index, filter: filter),
                                               generatedAt: Date(timeIntervalSince1970: 0), period: filter.periodDescription)
        try put("compare", [try CompareReport.run(index, filter: c, before: .init(from: date("2026-10-26T00:00:00Z"), to: date("2026-11-01T07:30:00Z")),
                                                  after: .init(from: date("2026-11-01T07:30:00Z"), to: date("2026-11-06T13:05:00Z")))])
        return out
    }

    static func expectSameAsScan(_ index: CallIndex, _ context: String) throws {
        for zone in zones {
            for filter in filters(zone: zone) {
                var scan = filter
                scan.exactScan = true
                let fast = try renderAll(index, filter), slow = try renderAll(index, scan)
                for name in slow.keys.sorted() {
                    #expect(fast[name] == slow[name], "\(context): \(name) in \(zone), \(filter.notes.joined())")
                }
            }
        }
    }

    /// Every derived table as text; the per-day dimension tables with their keys resolved (the
    /// integer ids are the writers' order, which a rebuild renumbers).
    static func aggregateTables(_ index: CallIndex) throws -> [String] {
        try index.pool.read { db in
            let decoded = [
                "SELECT d.day, k.campaign, k.tracking_number, k.source, k.medium, d.calls, d.answered, d.missed, d.abandoned, d.talk_ms, d.duration_ms, d.dead_air FROM report_number_days d JOIN report_number_keys k ON k.id = d.number_key",
                "SELECT d.day, d.campaign, k.area_code, k.region, k.place, k.country, d.calls, d.answered, d.dead_air FROM report_area_days d JOIN report_area_keys k ON k.id = d.area_key",
                "SELECT caller FROM report_caller_ids",
            ]
            return try (ReportAggregates.existingTables(db) + [AreaAggregates.table, CallerLastCalls.table]).map { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2, 3").map { $0.description }.joined(separator: "\n")
            } + decoded.map { sql in
                try Row.fetchAll(db, sql: sql).map { $0.description }.sorted().joined(separator: "\n")
            } + [try packedCalls(db).joined(separator: "\n")]
        }
    }

    /// The calls `report_caller_packs` describes (removals cancelled), keys resolved, sorted.
    static func packedCalls(_ db: Database) throws -> [String] {
        var out: [String] = []
        var entries: [CallerPacks.Entry] = []
        try CallerPacks.forEach(db, from: nil, to: nil) { entries += $0 }
        for e in entries {
            let caller = try String.fetchOne(db, sql: "SELECT caller FROM report_caller_ids WHERE id = ?", arguments: [e.caller]) ?? "?"
            let number = try Row.fetchOne(db, sql: "SELECT campaign, tracking_number, source, medium FROM report_number_keys WHERE id = ?", arguments: [e.number])
            let area = try Row.fetchOne(db, sql: "SELECT area_code, region, place, country FROM report_area_keys WHERE id = ?", arguments: [e.area])
            out.append("\(e.q) \(caller) \(number?.description ?? "?") \(area?.description ?? "?") \(e.answered)")
        }
        return out.sorted()
    }

    @Test("every report and format, four zones (New York across the fall-back night, Kolkata, Kathmandu), after updates and deletes")
    func sameNumbersAsScan() throws {
        var r = try RandomIndex(seed: 17)
        defer { r.remove() }
        // Two weeks around the New York fall-back night (2026-11-01 06:00Z), and a March week with spring-forward.
        try r.insert(350, from: Self.epoch("2026-10-25T00:00:00Z"), to: Self.epoch("2026-11-08T00:00:00Z"))
        try r.insert(60, from: Self.epoch("2026-03-05T00:00:00Z"), to: Self.epoch("2026-03-12T00:00:00Z"))
        // A summer with calls every day: the whole period's caller pass splits in two parts
        // (AggregateSource.countCallerEntries) inside it, with callers on both sides.
        try r.insert(250, from: Self.epoch("2026-06-20T00:00:00Z"), to: Self.epoch("2026-08-10T00:00:00Z"))
        let tables = try Self.aggregateTables(r.index)
        #expect(tables[0].split(separator: "\n").count > 100, "the triggers filled report_quarters")
        #expect(tables[tables.count - 1].split(separator: "\n").count > 300, "the triggers filled report_caller_packs")
        try Self.expectSameAsScan(r.index, "after inserts")
        try Self.expectDeadAirCounted(r.index)
        // The whole period was cut into runs shared by two threads: together they counted every
        // entry of a pass in one go, each run by one thread (no quarter on both).
        let source = try #require(try AggregateSource.make(r.index, ReportFilter(), callers: true))
        let (parts, whole, range) = try r.index.readAggregates { db in
            let whole = EntryLog()
            try source.callerEntries(db, part: source.wholePeriod) { whole.count($0) }
            return (try source.countCallerEntries(db, r.index, make: { EntryLog() }), whole, try source.packedQuarters(db))
        }
        #expect(parts.count == 2)
        #expect(parts.flatMap(\.entries).sorted() == whole.entries.sorted() && whole.entries.count > 600)
        #expect(parts.count == 2 && parts[0].quarters.isDisjoint(with: parts[1].quarters))
        // The runs: consecutive, covering the packed quarters, each after the first at a split
        // point, the edges read by the first and the last.
        let days = try AggregateSource.runs(over: try #require(range), splitBefore: { $0 % 96 == 0 })
        #expect(days.count == AggregateSource.chunks)
        #expect(days.first?.from == range?.lowerBound && days.last?.to == range?.upperBound)
        #expect(zip(days, days.dropFirst()).allSatisfy { $0.to == $1.from && $1.from! % 96 == 0 })
        #expect(days.map(\.leading) == [true] + Array(repeating: false, count: days.count - 1))
        #expect(days.map(\.trailing) == Array(repeating: false, count: days.count - 1) + [true])

        // What a registry relink does (campaign and source of many calls), a caller correction,
        // a moved start time, and retention / erasure deleting records.
        try r.index.pool.write { db in
            try db.execute(sql: "UPDATE calls SET campaign = 'Radio', source = 'radio', medium = 'radio' WHERE tracking_number = '+14155551001'")
            try db.execute(sql: "UPDATE calls SET campaign = NULL, source = NULL, medium = NULL WHERE tracking_number = '+14155551002' AND started_at < '2026-11-02'")
            // A number moved to another line, and a source changed alone.
            try db.execute(sql: "UPDATE calls SET tracking_number = '+14155551009' WHERE tracking_number = '+14155551003' AND rowid % 3 = 0")
            try db.execute(sql: "UPDATE calls SET source = 'print-2' WHERE source = 'print' AND rowid % 2 = 1")
            try db.execute(sql: "UPDATE calls SET caller = '+12125550001' WHERE caller = '+14155550005'")
            // A corrected place, and a number whose area code is no longer known.
            try db.execute(sql: "UPDATE calls SET caller_place = 'Brooklyn' WHERE caller = '+16465550010' AND rowid % 2 = 0")
            try db.execute(sql: "UPDATE calls SET caller_area_code = NULL WHERE caller = '+19175550011'")
            try db.execute(sql: "UPDATE calls SET started_at = '2026-11-01T05:45:00Z', outcome = 'answered', talk_ms = 1000 WHERE rowid % 17 = 0")
            // Dead air taken away (silences cleared, an outcome changed) and given (an inner silence of 20 s).
            try db.execute(sql: "UPDATE calls SET silences = '[]', longest_silence_ms = 0 WHERE rowid % 11 = 0 AND outcome = 'answered'")
            try db.execute(sql: "UPDATE calls SET outcome = 'abandoned', talk_ms = 0 WHERE rowid % 13 = 0 AND longest_silence_ms > 10000")
            try db.execute(sql: """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":20100}]', longest_silence_ms = 20000
                WHERE rowid % 19 = 0 AND outcome = 'answered' AND duration_ms > 20100
                """)
            // At the threshold (10,000 ms: not dead air) and just over it; one ending exactly at
            // the call's end (trailing); the silences alone changed (the longest kept): a long
            // silence moved to the start, where it is not dead air.
            try db.execute(sql: """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":10100}]', longest_silence_ms = 10000
                WHERE rowid % 23 = 0 AND outcome = 'answered' AND duration_ms > 10100
                """)
            try db.execute(sql: """
                UPDATE calls SET silences = '[{"start_ms":100,"end_ms":10101}]', longest_silence_ms = 10001
                WHERE rowid % 29 = 0 AND outcome = 'answered' AND duration_ms > 10101
                """)
            try db.execute(sql: """
                UPDATE calls SET silences = '[{"start_ms":' || (duration_ms - 15000) || ',"end_ms":' || duration_ms || '}]', longest_silence_ms = 15000
                WHERE rowid % 31 = 0 AND outcome = 'answered' AND duration_ms > 16000
                """)
            try db.execute(sql: """
                UPDATE calls SET silences = '[{"start_ms":0,"end_ms":' || longest_silence_ms || '}]'
                WHERE rowid % 37 = 0 AND outcome = 'answered' AND longest_silence_ms > 10000
                """)
            // Items a hand edit could leave: not objects, a field missing. No silence, no failure.
            try db.execute(sql: """
                UPDATE calls SET silences = '[1, "x", null, [2], {"start_ms":100}, {"end_ms":30000}]', longest_silence_ms = 20000
                WHERE rowid % 41 = 0 AND outcome = 'answered'
                """)
            try db.execute(sql: "DELETE FROM calls WHERE rowid % 7 = 0")
            // Every first call of one caller: the next one becomes the first.
            try db.execute(sql: "DELETE FROM calls WHERE id = (SELECT id FROM report_first_calls WHERE caller = '+16465550002')")
        }
        try Self.expectSameAsScan(r.index, "after updates and deletes")
        try Self.expectDeadAirCounted(r.index)
        #expect(try ReportAggregates.differences(r.index, sample: 400).isEmpty)

        // Rebuilding from the calls alone gives the tables the triggers kept.
        let kept = try Self.aggregateTables(r.index)
        try ReportAggregates.rebuild(r.index)
        #expect(try Self.aggregateTables(r.index) == kept)
    }

    /// The dead air `summary` and `area-codes` count from the aggregates is what `report dead-air`
    /// lists (some calls have it, and leading, trailing or shorter silences are not counted).
    static func expectDeadAirCounted(_ index: CallIndex) throws {
        let listed = try DeadAirReport.run(index, filter: ReportFilter(), thresholdMs: DeadAirCounts.thresholdMs).rows.count
        let longSilences = try index.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE outcome = 'answered' AND longest_silence_ms > 10000") ?? 0
        }
        #expect(listed > 10 && listed < longSilences, "some calls have dead air, some long silences are not inner")
        for grouping in [SummaryReport.Grouping.day, .campaign] {
            let summary = try SummaryReport.run(index, filter: ReportFilter(), by: grouping)
            let column = try #require(summary.columns.firstIndex(of: "dead_air_calls"))
            #expect(summary.rows.last?[column] == .int(listed), "summary by \(grouping.rawValue): TOTAL")
            #expect(summary.rows.dropLast().map { row -> Int in if case .int(let n) = row[column] { n } else { 0 } }.reduce(0, +) == listed)
        }
        let areas = try AreaCodesReport.run(index, filter: ReportFilter())
        let column = try #require(areas.columns.firstIndex(of: "dead_air_calls"))
        #expect(areas.rows.map { row -> Int in if case .int(let n) = row[column] { n } else { 0 } }.reduce(0, +) == listed)
    }

    @Test("v16-caller-packs on an index written at v15: callers packed on open, the per-caller tables gone, same numbers as the scan")
    func packsMigration() throws {
        var r = try RandomIndex(seed: 23)  // its generator; the index under test is written below at v15
        defer { r.remove() }
        let path = r.dir + "/v15.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v15-report-dimensions")
        let start = Self.epoch("2026-10-25T00:00:00Z")
        try queue.write { db in
            for i in 0..<400 { try r.insertOne(db, at: start + (i * 3001) % (14 * 86400), caller: RandomIndex.callers[i % RandomIndex.callers.count]) }
            try db.execute(sql: "UPDATE calls SET campaign = 'Radio' WHERE rowid % 5 = 0")
            try db.execute(sql: "DELETE FROM calls WHERE rowid % 9 = 0")
        }
        try queue.close()
        let index = try CallIndex(path: path)
        try index.pool.read { db in
            #expect(try !db.tableExists("report_callers") && !db.tableExists("report_caller_days"))
            let withCaller = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE caller IS NOT NULL") ?? 0
            #expect(withCaller > 300)
            #expect(try Self.packedCalls(db).count == withCaller)
        }
        try Self.expectSameAsScan(index, "after the v16 migration")
        // v18's fill counted the dead air of the calls already there.
        try Self.expectDeadAirCounted(index)
        #expect(try ReportAggregates.differences(index, sample: 400).isEmpty)
    }

    @Test("verify's sample finds an aggregate that differs from the calls; rebuild-aggregates repairs it")
    func verifyFindsDifference() throws {
        var r = try RandomIndex(seed: 5)
        defer { r.remove() }
        try r.insert(200, from: Self.epoch("2026-10-25T00:00:00Z"), to: Self.epoch("2026-10-26T00:00:00Z"))
        #expect(try ReportAggregates.differences(r.index, sample: 400).isEmpty)
        try r.index.pool.write { db in try db.execute(sql: "UPDATE report_quarters SET calls = calls + 1") }
        // The reports do read the aggregates (a difference shows), and --exact-scan does not.
        var scan = ReportFilter()
        scan.exactScan = true
        #expect(try HoursReport.run(r.index, filter: ReportFilter()).text() != HoursReport.run(r.index, filter: scan).text())
        let problems = try ReportAggregates.differences(r.index, sample: 400)
        #expect(problems.contains { $0.hasPrefix("report_quarters: quarter starting 2026-10-25T") })
        let verify = try Verifier(index: r.index, archiveRoot: r.dir).run(sample: 0, since: nil, now: Date())
        #expect(!verify.aggregateProblems.isEmpty && !verify.clean)
        try ReportAggregates.rebuild(r.index)
        #expect(try ReportAggregates.differences(r.index, sample: 400).isEmpty)

        // The area-code table too: found by verify's sample, refilled by the rebuild.
        try r.index.pool.write { db in try db.execute(sql: "DELETE FROM report_area_quarters") }
        #expect(try ReportAggregates.differences(r.index, sample: 400).contains { $0.hasPrefix("report_area_quarters: quarter starting 2026-10-25T") })
        try ReportAggregates.rebuild(r.index)
        #expect(try ReportAggregates.differences(r.index, sample: 400).isEmpty)

        // The per-day dimension tables: the reports read them (a changed number shows), verify's
        // sample finds each one, the rebuild repairs them.
        let changes = [("UPDATE report_number_days SET talk_ms = talk_ms + 1", "report_number_days: UTC day 2026-10-25 differs"),
                       ("UPDATE report_area_days SET answered = answered + 1", "report_area_days: UTC day 2026-10-25 differs"),
                       ("DELETE FROM report_caller_packs WHERE k % 2 = 0", "report_caller_packs: quarter starting 2026-10-25T"),
                       ("UPDATE report_caller_last SET last_answered_at = NULL", "report_caller_last: callers of the quarter starting 2026-10-25T"),
                       // v18's dead air, in each table that counts it.
                       ("UPDATE report_quarters SET dead_air = dead_air + 1", "report_quarters: quarter starting 2026-10-25T"),
                       ("UPDATE report_campaign_quarters SET dead_air = dead_air + 1", "report_campaign_quarters: quarter starting 2026-10-25T"),
                       ("UPDATE report_number_days SET dead_air = dead_air + 1", "report_number_days: UTC day 2026-10-25 differs"),
                       ("UPDATE report_area_days SET dead_air = dead_air + 1", "report_area_days: UTC day 2026-10-25 differs")]
        for (change, problem) in changes {
            // The campaign quarters are read for --campaign.
            var filter = ReportFilter()
            if change.contains("report_campaign_quarters") { filter.campaigns = ["Search", "Radio"] }
            let before = try Self.renderAll(r.index, filter)
            try r.index.pool.write { db in try db.execute(sql: change) }
            let after = try Self.renderAll(r.index, filter)
            let read = ["summary-source.json", "summary-tracking-number.json", "area-codes.json", "charts.html", "missed-unreturned.json",
                        "summary-day.json"]
                .filter { before[$0] != after[$0] }
            #expect(!read.isEmpty, "\(change): no report changed")
            #expect(try ReportAggregates.differences(r.index, sample: 400).contains { $0.hasPrefix(problem) }, "\(change)")
            try ReportAggregates.rebuild(r.index)
            #expect(try ReportAggregates.differences(r.index, sample: 400).isEmpty)
            #expect(try Self.renderAll(r.index, filter) == before)
        }
    }

    @Test("callers --top over more callers than one statement looks up (ids 500, first and last calls 100 at a time): the same table as the scan")
    func manyTopCallers() throws {
        var r = try RandomIndex(seed: 5)
        defer { r.remove() }
        try Self.insertManyCallers(&r)
        for (filter, top) in Self.manyCallerFilters {
            var scan = filter
            scan.exactScan = true
            let fast = try CallersReport.run(r.index, filter: filter, top: top), slow = try CallersReport.run(r.index, filter: scan, top: top)
            #expect(filter.campaigns.isEmpty ? fast.1.rows.count == min(top, 620) : fast.1.rows.count > 300, "\(fast.1.rows.count) rows")
            #expect(try fast.1.json() == slow.1.json() && fast.0.csv() == slow.0.csv(), "top \(top), \(filter.campaigns.count) campaigns")
        }
    }

    /// 620 callers with 2 to 4 calls each in June 2026 (ties at every count, broken by number).
    static func insertManyCallers(_ r: inout RandomIndex) throws {
        let start = epoch("2026-06-01T00:00:00Z")
        try r.index.pool.write { [r] db in
            var r = r
            for i in 0..<620 {
                for k in 0..<(2 + i % 3) { try r.insertOne(db, at: start + i * 600 + k * 60, caller: String(format: "+1646555%04d", i)) }
            }
        }
    }

    /// The filters and `--top` of the many-callers tests: 150 and 700 of them; 700 with 200
    /// campaigns named (fewer callers a statement: the filter's values are bound per caller).
    static var manyCallerFilters: [(ReportFilter, Int)] {
        var filter = ReportFilter()
        filter.since = date("2026-06-01T00:00:00Z")
        var many = filter
        many.campaigns = ["Radio", "Search", "Print", "Social"] + (0..<196).map { "Campaign \($0)" }
        return [(filter, 150), (filter, 700), (many, 700)]
    }

    @Test("missed: 'got through later' is one seek in the partial index of answered calls")
    func listingPlans() throws {
        let r = try RandomIndex(seed: 1)
        defer { r.remove() }
        var f = ReportFilter()
        f.since = Self.date("2026-06-01T00:00:00Z")
        f.until = Self.date("2026-07-01T00:00:00Z")
        let (clause, arguments) = f.query.whereClause()
        let plan = try r.index.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + MissedReport.sql(clause + " AND c.outcome = 'missed'", outcome: true),
                             arguments: arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("calls_caller_answered") && $0.contains("caller=? AND started_at>?") }, "\(plan)")
        #expect(plan.contains { $0.contains("calls_outcome") && $0.contains("outcome=? AND started_at>? AND started_at<?") }, "\(plan)")
        // Read in index order: at most the calls of one second are sorted (by id), never the month.
        #expect(!plan.contains { $0 == "USE TEMP B-TREE FOR ORDER BY" }, "\(plan)")

        // --unreturned: the candidate callers by their last missed call, then one range of each
        // one's calls — not the month's missed calls.
        let (candidates, candidateArguments) = UnreturnedCalls(filter: f).candidateQuery()
        let unreturned = try r.index.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + candidates, arguments: candidateArguments).map { $0["detail"] as String }
        }
        #expect(unreturned.first { $0.hasPrefix("SEARCH") || $0.hasPrefix("SCAN") }?.contains("COVERING INDEX report_caller_last_missed (last_missed_at>?)") == true, "\(unreturned)")
        // The calls' range from the index alone: no row is read before the page is chosen.
        #expect(unreturned.contains { $0.contains("COVERING INDEX calls_caller") && $0.contains("caller=? AND started_at>? AND started_at<?") }, "\(unreturned)")
    }

    @Test("missed --limit: the first N calls of the whole listing, and how many there are in all")
    func missedLimit() throws {
        var r = try RandomIndex(seed: 29)
        defer { r.remove() }
        try r.insert(300, from: Self.epoch("2026-10-25T00:00:00Z"), to: Self.epoch("2026-10-27T00:00:00Z"))
        for campaigns in [[], ["Search", "Radio"]] {
            var f = ReportFilter()
            f.campaigns = campaigns
            let all = try MissedReport.run(r.index, filter: f, unreturnedOnly: false)
            #expect(all.rows.count > 20)
            let page = try MissedReport.run(r.index, filter: f, unreturnedOnly: false, limit: 7)
            #expect(page.rows == Array(all.rows.prefix(7)))
            #expect(page.notes.contains("showing the first 7 of \(all.rows.count) calls; --limit 0 for all"), "\(page.notes)")
            // Oldest first, ties by id: what the scan would sort.
            let keys = all.rows.map { "\($0[0])|\($0[1])" }
            #expect(keys == keys.sorted())
            let unreturned = try MissedReport.run(r.index, filter: f, unreturnedOnly: true)
            let unreturnedPage = try MissedReport.run(r.index, filter: f, unreturnedOnly: true, limit: 3)
            #expect(unreturnedPage.rows == Array(unreturned.rows.prefix(3)) && unreturned.rows.count > 3)
            #expect(unreturnedPage.notes.contains("showing the first 3 calls; more follow; --limit 0 for all"))
            #expect(try MissedReport.run(r.index, filter: f, unreturnedOnly: false, limit: all.rows.count).rows == all.rows)
        }
    }
}

/// The callers and quarters of one part's entries.
final class EntryLog: CallerEntryCounter {
    var quarters = Set<Int>()
    /// Every entry counted, as text (`q caller number area answered`).
    var entries: [String] = []

    func count(_ batch: [CallerPacks.Entry]) {
        for e in batch {
            quarters.insert(e.q)
            entries.append("\(e.q) \(e.caller) \(e.number) \(e.area) \(e.answered)")
        }
    }
}
