import CallVaultCore
import Foundation
import GRDB

/// Who called, per UTC quarter, packed: one fixed-width text entry per call with a caller —
/// caller id, number key, area key (the integer keys of ``DimensionAggregates``) and whether it
/// was answered — 128 entries to a row of `report_caller_packs`.
///
/// Why: unique, repeat, first-time and returning callers are exact only from which caller called
/// in which quarter, and that is about one fact per call. As a row each (v8's `report_callers`,
/// v15's `report_caller_days`) a year of 10M calls was 10M rows to step through; packed it is
/// ~80,000 rows of 1.5 KB read as bytes, so the reports that count callers stay fast at 10M.
///
/// - A row's key `k` is quarter × 2^20 + chunk: a quarter's rows are adjacent in the table, and a
///   period is one range of keys. New entries go to the quarter's last row until it holds 128
///   (a row fits one 4 KiB page; a quarter can hold 2^20 rows).
/// - An entry is 12 characters, 6 bits each as `char(48 + bits)` (`0`…`o`): a flag (1 answered,
///   +2 for a removal), 5 for the caller id (< 2^30), 3 for the number key and 3 for the area key
///   (< 2^18 each). Pure SQL builds it, so the triggers run in any SQLite (the `sqlite3` shell too).
/// - A deleted or changed call appends its entry again flagged as a removal (a tombstone) instead
///   of rewriting the row; ``forEach(_:from:to:_:)`` cancels each removal with one identical entry
///   of the same quarter. A quarter left without calls drops its rows; `db rebuild-aggregates`
///   packs every quarter afresh (no tombstones).
///
/// Kept by the triggers of ``DimensionAggregates`` (from `v16-caller-packs`), filled by the
/// migration and the rebuild, sampled by `verify`.
public enum CallerPacks {
    public static let table = "report_caller_packs"
    static let perRow = 128
    static let rowsPerQuarter = 1 << 20
    static let width = 12
    /// The largest caller id and number / area key the entries can hold.
    public static let maxCallerId = (1 << 30) - 1
    public static let maxKey = (1 << 18) - 1

    /// How a backend writes an entry: SQLite's triggers build 12 characters with `char()` (any
    /// `sqlite3` runs them); PostgreSQL's build a big-endian 64-bit word (`int8send`), 8 bytes —
    /// a year's report at 10M calls moves 80 MB of packs through the server, the socket and
    /// postgres-nio instead of 120 MB, and decodes each entry from one load.
    public enum Layout: Sendable, Equatable {
        /// 12 characters, 6 bits each (the type's description above).
        case characters
        /// The flag in bits 62–63, the caller id in 34–61, the number key in 16–33, the area key
        /// in 0–15 (PostgreSQL from `pg-v11-report-pack-words`).
        case words

        /// The largest caller id, number key and area key an entry holds.
        public var limits: (caller: Int, number: Int, area: Int) {
            self == .characters ? (maxCallerId, maxKey, maxKey) : ((1 << 28) - 1, (1 << 18) - 1, (1 << 16) - 1)
        }
    }

    /// One call with a caller, as the reports read it. Held in 32-bit fields (every value fits:
    /// a quarter of the year 9999 is below 2^29, ids and keys below 2^30): a year's pass writes
    /// and reads ten million of them, and 20 bytes an entry instead of 40 halves that traffic.
    public struct Entry: Equatable, Sendable {
        private var q32: Int32, caller32: Int32, number32: Int32, area32: Int32
        public var answered: Bool

        public var q: Int { Int(q32) }
        public var caller: Int { Int(caller32) }
        public var number: Int { Int(number32) }
        public var area: Int { Int(area32) }

        public init(q: Int, caller: Int, number: Int, area: Int, answered: Bool) {
            q32 = Int32(truncatingIfNeeded: q)
            caller32 = Int32(truncatingIfNeeded: caller)
            number32 = Int32(truncatingIfNeeded: number)
            area32 = Int32(truncatingIfNeeded: area)
            self.answered = answered
        }
    }

    static let createTable = "CREATE TABLE report_caller_packs (k INTEGER PRIMARY KEY, n INTEGER NOT NULL, entries TEXT NOT NULL)"

    /// The entry of a call whose keys are the SQL expressions `caller`, `number`, `area`.
    static func entry(flag: String, caller: String, number: String, area: String) -> String {
        func digits(_ v: String, _ count: Int) -> [String] { (0..<count).reversed().map { "48 + ((\(v) >> \($0 * 6)) & 63)" } }
        return "char(" + (["48 + \(flag)"] + digits(caller, 5) + digits(number, 3) + digits(area, 3)).joined(separator: ", ") + ")"
    }

    /// Statements appending row `r`'s entry (`removal`: its tombstone) to its quarter's last row.
    /// `keys`: the caller, number and area lookups of the row (``DimensionAggregates``' triggers).
    static func append(_ r: String, removal: Bool, keys: (number: String, area: String, caller: String)) -> String {
        let q = ReportAggregates.quarter("\(r).started_at")
        let low = "(\(q)) * \(rowsPerQuarter)", high = "(\(q) + 1) * \(rowsPerQuarter)"
        let last = "(SELECT max(k) FROM report_caller_packs WHERE k >= \(low) AND k < \(high))"
        let flag = "(\(r).outcome = \(Outcome.answered.sqlLiteral))" + (removal ? " + 2" : "")
        return """
            INSERT INTO report_caller_packs (k, n, entries)
                SELECT ifnull(\(last) + 1, \(low)), 0, '' WHERE \(r).caller IS NOT NULL
                AND ifnull((SELECT n FROM report_caller_packs WHERE k = \(last)), \(perRow)) >= \(perRow);
            UPDATE report_caller_packs SET n = n + 1, entries = entries || (
                SELECT \(entry(flag: "f", caller: "c", number: "nk", area: "ak"))
                FROM (SELECT \(flag) AS f, \(keys.caller) AS c, \(keys.number) AS nk, \(keys.area) AS ak))
                WHERE k = \(last) AND \(r).caller IS NOT NULL;
            """
    }

    /// Drops the rows of row `r`'s quarter once no call with a caller is left in it.
    static func dropEmptyQuarter(_ r: String) -> String {
        let q = ReportAggregates.quarter("\(r).started_at")
        let format = "'%Y-%m-%dT%H:%M:%SZ'"
        return """
            DELETE FROM report_caller_packs WHERE \(r).caller IS NOT NULL
                AND k >= (\(q)) * \(rowsPerQuarter) AND k < (\(q) + 1) * \(rowsPerQuarter)
                AND NOT EXISTS (SELECT 1 FROM calls WHERE caller IS NOT NULL
                    AND started_at >= strftime(\(format), (\(q)) * 900, 'unixepoch')
                    AND started_at < strftime(\(format), (\(q) + 1) * 900, 'unixepoch'));
            """
    }

    /// Packs every call with a caller, quarter by quarter (the key tables must be filled first: a
    /// call whose keys are not there yet is left out, and `verify` reports its quarter).
    static func fill(_ db: Database) throws {
        let keys = DimensionAggregates.keysOfCall
        let q = ReportAggregates.quarter("started_at")
        try db.execute(sql: """
            INSERT INTO report_caller_packs (k, n, entries)
                SELECT q * \(rowsPerQuarter) + chunk, count(*), group_concat(e, '') FROM (
                    SELECT q, (row_number() OVER (PARTITION BY q) - 1) / \(perRow) AS chunk, e FROM (
                        SELECT \(q) AS q, (SELECT \(entry(flag: "f", caller: "c", number: "nk", area: "ak"))
                            FROM (SELECT (outcome = \(Outcome.answered.sqlLiteral)) AS f, \(keys.caller) AS c,
                                         \(keys.number) AS nk, \(keys.area) AS ak)) AS e
                        FROM calls WHERE caller IS NOT NULL) WHERE e IS NOT NULL)
                GROUP BY q, chunk
            """)
    }

    /// The `v16-caller-packs` table, filled.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTable)
        try fill(db)
    }

    /// Empties and refills the table (after the key tables were renumbered).
    static func refill(_ db: Database) throws {
        guard try db.tableExists(table) else { return }
        try db.execute(sql: "DELETE FROM \(table)")
        try fill(db)
    }

    /// Whether the entries can describe this index: the table exists and every key fits.
    public static func usable(_ db: Database) throws -> Bool {
        guard try db.tableExists(table) else { return false }
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT ifnull(max(id), 0) FROM report_caller_ids), (SELECT ifnull(max(id), 0) FROM report_number_keys),
                   (SELECT ifnull(max(id), 0) FROM report_area_keys)
            """)
        guard let row else { return false }
        return (row[0] as Int) <= maxCallerId && (row[1] as Int) <= maxKey && (row[2] as Int) <= maxKey
    }

    /// Every entry of quarters [from, to) (nil: unbounded), a quarter at a time in quarter order,
    /// each removal cancelled with one identical entry of its quarter (so what is left is the
    /// calls there). One call of `body` per quarter, so the per-entry loop is the caller's own.
    public static func forEach(_ db: Database, from: Int?, to: Int?, _ body: ([Entry]) throws -> Void) throws {
        try forEach(SQLiteAggregateReader(db), from: from, to: to, body)
    }

    /// ``forEach(_:from:to:_:)`` through either backend's reader.
    public static func forEach(_ reader: any ReportAggregateReader, from: Int?, to: Int?, _ body: ([Entry]) throws -> Void) throws {
        var quarter = Int.min
        var batch = QuarterBatch()
        let layout = reader.packLayout
        try reader.forEachPack(from: from, to: to) { q, bytes in
            if q != quarter {
                if let entries = batch.take() { try body(entries) }
                quarter = q
            }
            switch layout {
            case .characters: batch.decode(bytes, quarter: q)
            case .words: batch.decodeWords(bytes, quarter: q)
            }
        }
        if let entries = batch.take() { try body(entries) }
    }

    /// One quarter's entries being read: the calls, and the removals to cancel against them.
    struct QuarterBatch {
        var entries: [Entry] = [], removals: [Entry] = []

        /// Appends the entries of one row; a trailing partial entry (never written) is ignored.
        /// Each entry is read as two little-endian words, every 6-bit digit `(byte - 48) & 63`
        /// computed for eight bytes at once as `((byte & 63) + 16) & 63` (no carry between
        /// bytes), and the row's entries are appended in one go from a buffer on the stack.
        mutating func decode(_ bytes: UnsafeRawBufferPointer, quarter: Int) {
            let count = bytes.count / width
            guard count > 0, let base = bytes.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: count) { buffer in
                var kept = 0
                for i in 0..<count {
                    let low = ((base.loadUnaligned(fromByteOffset: i * width, as: UInt64.self).littleEndian & 0x3F3F_3F3F_3F3F_3F3F)
                        &+ 0x1010_1010_1010_1010) & 0x3F3F_3F3F_3F3F_3F3F
                    let high = ((UInt64(base.loadUnaligned(fromByteOffset: i * width + 8, as: UInt32.self).littleEndian) & 0x3F3F_3F3F)
                        &+ 0x1010_1010) & 0x3F3F_3F3F
                    @inline(__always) func d(_ word: UInt64, _ j: Int) -> Int { Int(truncatingIfNeeded: word >> (8 * j)) & 63 }
                    let flag = d(low, 0)
                    let e = Entry(q: quarter, caller: d(low, 1) << 24 | d(low, 2) << 18 | d(low, 3) << 12 | d(low, 4) << 6 | d(low, 5),
                                  number: d(low, 6) << 12 | d(low, 7) << 6 | d(high, 0),
                                  area: d(high, 1) << 12 | d(high, 2) << 6 | d(high, 3), answered: flag & 1 == 1)
                    if flag & 2 == 2 { removals.append(e) } else {
                        (buffer.baseAddress! + kept).initialize(to: e)
                        kept += 1
                    }
                }
                entries.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<kept]))
                _ = buffer.baseAddress!.deinitialize(count: kept)
            }
        }

        /// Appends the entries of one row in the ``Layout/words`` layout; a trailing partial
        /// entry (never written) is ignored.
        mutating func decodeWords(_ bytes: UnsafeRawBufferPointer, quarter: Int) {
            let count = bytes.count / 8
            guard count > 0, let base = bytes.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: count) { buffer in
                var kept = 0
                for i in 0..<count {
                    let w = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                    let e = Entry(q: quarter, caller: Int(truncatingIfNeeded: w >> 34) & ((1 << 28) - 1),
                                  number: Int(truncatingIfNeeded: w >> 16) & ((1 << 18) - 1),
                                  area: Int(truncatingIfNeeded: w) & 0xFFFF, answered: w & (1 << 62) != 0)
                    if w & (1 << 63) != 0 { removals.append(e) } else {
                        (buffer.baseAddress! + kept).initialize(to: e)
                        kept += 1
                    }
                }
                entries.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<kept]))
                _ = buffer.baseAddress!.deinitialize(count: kept)
            }
        }

        /// The quarter's calls (removals cancelled), nil when there are none; empties the batch.
        mutating func take() -> [Entry]? {
            if !removals.isEmpty { CallerPacks.cancel(&entries, removals) }
            defer { entries.removeAll(keepingCapacity: true); removals.removeAll(keepingCapacity: true) }
            return entries.isEmpty ? nil : entries
        }
    }

    /// Removes from `entries` one entry equal to each removal.
    static func cancel(_ entries: inout [Entry], _ removals: [Entry]) {
        var gone = removals
        entries.removeAll { e in
            guard let i = gone.firstIndex(of: e) else { return false }
            gone.swapAt(i, gone.count - 1)
            gone.removeLast()
            return true
        }
    }

    /// The calls with a caller of quarter `q` as the entries describe them and as `calls` has
    /// them, each as `caller|campaign|number|source|medium|area…|answered` text, sorted; nil when
    /// they agree (for `verify`).
    static func difference(_ db: Database, quarter q: Int, from: String, to: String) throws -> String? {
        guard try db.tableExists(table) else { return nil }
        var stored: [String] = []
        var ids: [Int: String] = [:], numbers: [Int: String] = [:], areas: [Int: String] = [:]
        func text(_ sql: String, _ id: Int) throws -> String {
            try Row.fetchOne(db, sql: sql, arguments: [id]).map { $0.databaseValues.map { "\($0)" }.joined(separator: "|") } ?? "?"
        }
        var entries: [Entry] = []
        try forEach(db, from: q, to: q + 1) { entries += $0 }
        for e in entries {
            if ids[e.caller] == nil { ids[e.caller] = try text("SELECT caller FROM report_caller_ids WHERE id = ?", e.caller) }
            if numbers[e.number] == nil {
                numbers[e.number] = try text("SELECT campaign, tracking_number, source, medium FROM report_number_keys WHERE id = ?", e.number)
            }
            if areas[e.area] == nil { areas[e.area] = try text("SELECT area_code, region, place, country FROM report_area_keys WHERE id = ?", e.area) }
            stored.append("\(ids[e.caller]!)|\(numbers[e.number]!)|\(areas[e.area]!)|\(e.answered ? 1 : 0)")
        }
        let n = DimensionAggregates.numberKey(""), a = DimensionAggregates.areaKey("")
        let scanned = try Row.fetchAll(db, sql: """
            SELECT caller, \(n.joined(separator: ", ")), \(a.joined(separator: ", ")), outcome = \(Outcome.answered.sqlLiteral)
            FROM calls WHERE started_at >= ? AND started_at < ? AND caller IS NOT NULL
            """, arguments: [from, to]).map { $0.databaseValues.map { "\($0)" }.joined(separator: "|") }
        if stored.sorted() == scanned.sorted() { return nil }
        return "\(table): quarter starting \(from) differs from the calls (\(stored.count) calls packed, \(scanned.count) in calls)"
    }
}
