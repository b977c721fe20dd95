/// Where a caller's number is from: NANP area code, region (state/province) and main place;
/// the country for every number. Data: libphonenumber via `scripts/gen-phone-geography.py`.
///
/// ```swift
/// PhoneGeography.lookup("+14155550123")  // areaCode "415", region "California", place "San Francisco", country "US"
/// PhoneGeography.lookup("+442079460958") // country "GB" (countryName "United Kingdom")
/// ```
public struct PhoneGeography: Sendable, Equatable {
    public var areaCode: String?
    public var region: String?
    public var place: String?
    /// ISO 3166 alpha-2 code.
    public var country: String?

    public init(areaCode: String? = nil, region: String? = nil, place: String? = nil, country: String? = nil) {
        self.areaCode = areaCode
        self.region = region
        self.place = place
        self.country = country
    }

    /// The geography of an E.164 number; empty for anything else.
    public static func lookup(_ e164: String?) -> PhoneGeography {
        guard let e164, e164.hasPrefix("+"), e164.count >= 8 else { return PhoneGeography() }
        let digits = e164.dropFirst()
        if digits.hasPrefix("1") {
            let area = String(digits.dropFirst().prefix(3))
            guard let row = tables.areas[area] else { return PhoneGeography(areaCode: area, country: nil) }
            return PhoneGeography(areaCode: area, region: row.region.nilIfEmpty, place: row.place.nilIfEmpty,
                                  country: row.country.nilIfEmpty)
        }
        for length in [3, 2, 1] {
            if let row = tables.countries[String(digits.prefix(length))] {
                return PhoneGeography(country: row.iso)
            }
        }
        return PhoneGeography()
    }

    /// How a country's national numbers are written: the lengths it uses and its trunk prefix.
    public struct NumberingPlan: Sendable, Equatable {
        public var lengths: Set<Int>
        /// Dialled before a national number inside the country (`0` in most of Europe), empty when none.
        public var trunkPrefix: String
    }

    /// The numbering plan of a country calling code (`"44"`), when the metadata has one.
    public static func numberingPlan(countryCode: String) -> NumberingPlan? { tables.plans[countryCode] }

    /// The country calling code that `digits` (an international number without `+`) starts with.
    public static func countryCode(prefixing digits: String) -> String? {
        for length in [1, 2, 3] where digits.count > length {
            let code = String(digits.prefix(length))
            if tables.countries[code] != nil { return code }
        }
        return nil
    }

    /// English name of an ISO code that appears in the data (`GB` ▶ `United Kingdom`).
    public static func countryName(_ iso: String) -> String? { tables.countryNames[iso] }

    private struct Tables {
        var areas: [String: (region: String, place: String, country: String)] = [:]
        var countries: [String: (iso: String, name: String)] = [:]
        var countryNames: [String: String] = [:]
        var plans: [String: NumberingPlan] = [:]
    }

    private static let tables: Tables = {
        var t = Tables()
        for line in PhoneGeographyData.table.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if f[0] == "N", f.count >= 5 {
                t.areas[f[1]] = (f[2], f[3], f[4])
            } else if f[0] == "C", f.count >= 4 {
                t.countries[f[1]] = (f[2], f[3])
                t.countryNames[f[2]] = f[3]
                if f.count >= 6 {
                    let lengths = Set(f[4].split(separator: ",").compactMap { Int($0) })
                    if !lengths.isEmpty { t.plans[f[1]] = NumberingPlan(lengths: lengths, trunkPrefix: f[5]) }
                }
            }
        }
        for (_, row) in t.areas where !row.country.isEmpty && row.country != "US" && row.country != "CA" {
            t.countryNames[row.country] = t.countryNames[row.country] ?? row.region
        }
        t.countryNames["US"] = "United States"
        t.countryNames["CA"] = "Canada"
        return t
    }()
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
