import Foundation

/// One row of the tracking-number registry: which campaign a number belonged to, and when.
///
/// The window is half-open, `[validFrom, validTo)`: a call exactly at `valid_to` belongs to
/// the number's next row. Either end may be open (nil).
public struct RegistryEntry: Sendable, Equatable {
    public var line: Int
    public var trackingNumber: String
    public var campaign: String
    public var source: String?
    public var medium: String?
    public var validFrom: Date?
    public var validTo: Date?
    /// Columns beyond ``columns`` (`notes`, `agency`…), by header name: kept, not refused.
    public var metadata: [String: String] = [:]
    /// `pool`: the name of the number pool this number belongs to (dynamic number insertion on a
    /// website); the row's campaign, source and medium are then the pool's fallback for calls no web
    /// session explains. Nil (empty cell or no column): a number of its own.
    public var pool: String? = nil

    public init(line: Int, trackingNumber: String, campaign: String, source: String?, medium: String?, validFrom: Date?, validTo: Date?,
                metadata: [String: String] = [:], pool: String? = nil) {
        self.line = line
        self.trackingNumber = trackingNumber
        self.campaign = campaign
        self.source = source
        self.medium = medium
        self.validFrom = validFrom
        self.validTo = validTo
        self.metadata = metadata
        self.pool = pool
    }

    public func contains(_ date: Date) -> Bool {
        (validFrom.map { $0 <= date } ?? true) && (validTo.map { date < $0 } ?? true)
    }

    func overlaps(_ other: RegistryEntry) -> Bool {
        let aStart = validFrom ?? .distantPast, aEnd = validTo ?? .distantFuture
        let bStart = other.validFrom ?? .distantPast, bEnd = other.validTo ?? .distantFuture
        return aStart < bEnd && bStart < aEnd
    }

    public static let columns = ["tracking_number", "campaign", "source", "medium", "valid_from", "valid_to", "pool"]

    /// Parses and checks a registry CSV: header, normalised numbers, dates, disjoint windows per number.
    /// Throws the first problem as `FILE:LINE: field: reason`.
    public static func parse(csv text: String, file: String, defaultCountryCode: String,
                             timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> [RegistryEntry] {
        let table = try CSVTable(text: text, file: file)
        for required in ["tracking_number", "campaign"] where !table.header.contains(required) {
            throw ConfigError(file: file, line: 1, "the header lacks the column \(required) (expected \(columns.joined(separator: ",")))")
        }
        // Other columns are kept as the row's metadata; their names must be usable as keys.
        var seen = Set<String>()
        for name in table.header {
            guard !name.isEmpty else { throw ConfigError(file: file, line: 1, "a column has no name") }
            guard seen.insert(name).inserted else { throw ConfigError(file: file, line: 1, "the column \(name.debugDescription) appears twice") }
            guard name.count <= 64, name.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) else {
                throw ConfigError(file: file, line: 1, "the column name \(String(name.prefix(64)).debugDescription) is not usable (64 characters at most, no control characters)")
            }
        }
        let extraColumns = table.header.filter { !columns.contains($0) }
        var entries: [RegistryEntry] = []
        var byNumber: [String: [Int]] = [:]  // number ▶ indexes in entries: overlap checks stay linear
        for row in table.rows {
            guard row.fields.count == table.header.count else {
                throw ConfigError(file: file, line: row.line, "\(row.fields.count) fields, the header has \(table.header.count)")
            }
            var f: [String: String] = [:]
            for (name, value) in zip(table.header, row.fields) { f[name] = value.trimmedWhitespace }
            func fail(_ field: String, _ reason: String) -> ConfigError {
                ConfigError(file: file, line: row.line, "\(field): \(reason)")
            }
            let raw = f["tracking_number"] ?? ""
            guard case .e164(let number) = NumberReading(countryCode: defaultCountryCode).read(raw) else {
                throw fail("tracking_number", "\(raw.debugDescription) is not a phone number")
            }
            let campaign = f["campaign"] ?? ""
            guard !campaign.isEmpty else { throw fail("campaign", "is empty") }
            for name in table.header {
                guard let value = f[name] else { continue }
                if value.count > 200 { throw fail(name, "longer than 200 characters") }
                if let c = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                    throw fail(name, "contains the control character U+\(String(format: "%04X", c.value)) (a line break or tab inside a field breaks every table and report)")
                }
            }
            func date(_ name: String) throws -> Date? {
                guard let text = f[name], !text.isEmpty else { return nil }
                guard let d = Timestamp.parseBoundary(text, timeZone: timeZone) else {
                    throw fail(name, "\(text.debugDescription) is not an ISO date or timestamp")
                }
                return d
            }
            let entry = RegistryEntry(line: row.line, trackingNumber: number, campaign: campaign,
                                      source: f["source"]?.nilIfEmpty, medium: f["medium"]?.nilIfEmpty,
                                      validFrom: try date("valid_from"), validTo: try date("valid_to"),
                                      metadata: Dictionary(uniqueKeysWithValues: extraColumns.compactMap { name in
                                          f[name].flatMap { $0.isEmpty ? nil : (name, $0) }
                                      }),
                                      pool: f["pool"]?.nilIfEmpty)
            if let from = entry.validFrom, let to = entry.validTo, from >= to {
                throw fail("valid_to", "must be after valid_from")
            }
            if let clash = byNumber[number, default: []].first(where: { entries[$0].overlaps(entry) }).map({ entries[$0] }) {
                throw ConfigError(file: file, line: row.line,
                                  "valid_from/valid_to: the window for \(number) overlaps the one on line \(clash.line) (lines \(clash.line) and \(row.line))")
            }
            byNumber[number, default: []].append(entries.count)
            entries.append(entry)
        }
        return entries
    }
}
