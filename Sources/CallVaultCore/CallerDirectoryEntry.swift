import Foundation

/// One row of the caller directory: who a caller's number belongs to (name, company, postal
/// address, customer id, email), as a CRM export gives it.
///
/// The number is read like every other number (``NumberReading`` with the configured
/// `default_country_code`), so `(415) 555-0170` in the file matches a caller the switch wrote as
/// `+14155550170`. Every other field is optional; an empty cell is nil, not "".
///
/// ```swift
/// let rows = try CallerDirectoryEntry.parse(csv: "number,name\n(415) 555-0170,Ada\n", file: "d.csv", defaultCountryCode: "1")
/// rows[0].number   // "+14155550170"
/// ```
public struct CallerDirectoryEntry: Sendable, Equatable, Codable {
    public var number: String
    public var name: String?
    public var company: String?
    public var address: String?
    public var city: String?
    public var region: String?
    public var postalCode: String?
    public var country: String?
    public var customerID: String?
    public var email: String?

    enum CodingKeys: String, CodingKey {
        case number, name, company, address, city, region, postalCode = "postal_code", country
        case customerID = "customer_id", email
    }

    public init(number: String, name: String? = nil, company: String? = nil, address: String? = nil, city: String? = nil,
                region: String? = nil, postalCode: String? = nil, country: String? = nil, customerID: String? = nil, email: String? = nil) {
        self.number = number
        self.name = name
        self.company = company
        self.address = address
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
        self.customerID = customerID
        self.email = email
    }

    /// The CSV's columns, in order; `number` is required, the others may be left out or empty.
    public static let columns = ["number", "name", "company", "address", "city", "region", "postal_code", "country", "customer_id", "email"]

    /// The optional fields by column name, in ``columns`` order (`number` excluded).
    public var fields: [(column: String, value: String?)] {
        [("name", name), ("company", company), ("address", address), ("city", city), ("region", region),
         ("postal_code", postalCode), ("country", country), ("customer_id", customerID), ("email", email)]
    }

    /// Every field in encoding order, always encoded (null when empty): `caller_directory` objects
    /// have the same keys whatever the row held.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(name, forKey: .name)
        try c.encode(company, forKey: .company)
        try c.encode(address, forKey: .address)
        try c.encode(city, forKey: .city)
        try c.encode(region, forKey: .region)
        try c.encode(postalCode, forKey: .postalCode)
        try c.encode(country, forKey: .country)
        try c.encode(customerID, forKey: .customerID)
        try c.encode(email, forKey: .email)
    }

    /// Parses and checks a directory CSV: known columns only (a typo such as `adress` would
    /// otherwise drop a column silently), normalised numbers, each number once.
    /// Throws the first problem as `FILE:LINE: field: reason`.
    public static func parse(csv text: String, file: String, defaultCountryCode: String) throws -> [CallerDirectoryEntry] {
        let table = try CSVTable(text: text, file: file)
        guard table.header.contains("number") else {
            throw ConfigError(file: file, line: 1, "the header lacks the column number (expected \(columns.joined(separator: ",")))")
        }
        var seen = Set<String>()
        for name in table.header {
            guard columns.contains(name) else {
                throw ConfigError(file: file, line: 1, "the column \(name.debugDescription) is not one of \(columns.joined(separator: ","))")
            }
            guard seen.insert(name).inserted else { throw ConfigError(file: file, line: 1, "the column \(name.debugDescription) appears twice") }
        }
        let reading = NumberReading(countryCode: defaultCountryCode)
        var entries: [CallerDirectoryEntry] = []
        var lineOf: [String: Int] = [:]
        for row in table.rows {
            guard row.fields.count == table.header.count else {
                throw ConfigError(file: file, line: row.line, "\(row.fields.count) fields, the header has \(table.header.count)")
            }
            var f: [String: String] = [:]
            for (name, value) in zip(table.header, row.fields) { f[name] = value.trimmedWhitespace }
            func fail(_ field: String, _ reason: String) -> ConfigError {
                ConfigError(file: file, line: row.line, "\(field): \(reason)")
            }
            for name in table.header {
                guard let value = f[name] else { continue }
                if value.count > 200 { throw fail(name, "longer than 200 characters") }
                if let c = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                    throw fail(name, "contains the control character U+\(String(format: "%04X", c.value)) (a line break or tab inside a field breaks every table and report)")
                }
            }
            let raw = f["number"] ?? ""
            guard case .e164(let number) = reading.read(raw) else {
                throw fail("number", raw.isEmpty ? "is empty" : "\(raw.debugDescription) is not a phone number")
            }
            if let first = lineOf[number] {
                throw fail("number", "\(number) is already on line \(first) (one row per number)")
            }
            if let email = f["email"], !email.isEmpty, !email.contains("@") {
                throw fail("email", "\(email.debugDescription) is not an email address")
            }
            lineOf[number] = row.line
            entries.append(CallerDirectoryEntry(
                number: number, name: f["name"]?.nilIfEmpty, company: f["company"]?.nilIfEmpty, address: f["address"]?.nilIfEmpty,
                city: f["city"]?.nilIfEmpty, region: f["region"]?.nilIfEmpty, postalCode: f["postal_code"]?.nilIfEmpty,
                country: f["country"]?.nilIfEmpty, customerID: f["customer_id"]?.nilIfEmpty, email: f["email"]?.nilIfEmpty))
        }
        return entries
    }
}
