import CallVaultCore
import GRDB

/// Migration `v6-renormalise-numbers`: numbers stored under the first release's rules read again
/// with today's (issue 11: `+44 (0)20 …` and `+44 020 …` were stored as `+4402079460958`; lengths a
/// country never uses were marked valid). Without it, a hold or a query typed the new way would miss
/// calls ingested before the upgrade, and retention could delete them.
///
/// Only international notations are read again (`+…`, `00…`): they do not depend on the configured
/// country, which the index does not know; the caller passes the country national numbers would be
/// read in (the v6 migration passes "1", as it always has). Calls are read from their `*_raw` columns; holds and the
/// registry, which keep only the stored number, from it. Calls are re-linked to the registry; one
/// audit entry says how many numbers changed.
enum NumberRenormalisation {
    static func migrate(_ db: Database, countryCode: String) throws {
        var callers = 0, trackings = 0, holds = 0, registry = 0
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, caller, caller_raw, tracking_number, tracking_number_raw FROM calls
            WHERE caller_raw LIKE '+%' OR caller_raw LIKE '00%' OR tracking_number_raw LIKE '+%' OR tracking_number_raw LIKE '00%'
            """)
        for row in rows {
            let id: String = row["id"]
            if let raw: String = row["caller_raw"], isInternational(raw) {
                let reading = PhoneNumber.normalise(raw, defaultCountryCode: countryCode)
                if reading.stored != row["caller"] {
                    let geography = PhoneGeography.lookup(reading.isValid ? reading.stored : nil)
                    try db.execute(sql: """
                        UPDATE calls SET caller = ?, caller_valid = ?, caller_area_code = ?, caller_region = ?,
                                         caller_place = ?, caller_country = ? WHERE id = ?
                        """, arguments: [reading.stored, reading.isValid, geography.areaCode, geography.region,
                                         geography.place, geography.country, id])
                    callers += 1
                }
            }
            if let raw: String = row["tracking_number_raw"], isInternational(raw),
               case .e164(let number) = PhoneNumber.normalise(raw, defaultCountryCode: countryCode), number != row["tracking_number"] {
                try db.execute(sql: "UPDATE calls SET tracking_number = ? WHERE id = ?", arguments: [number, id])
                trackings += 1
            }
        }
        for (table, column) in [("holds", "caller"), ("holds", "tracking_number"), ("registry", "tracking_number")] {
            let stored = try Row.fetchAll(db, sql: "SELECT rowid, \(column) AS n FROM \(table) WHERE \(column) LIKE '+%'")
            for row in stored {
                guard let old: String = row["n"], case .e164(let number) = PhoneNumber.normalise(old, defaultCountryCode: countryCode), number != old else { continue }
                try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE rowid = ?", arguments: [number, row["rowid"] as Int64])
                if table == "holds" { holds += 1 } else { registry += 1 }
            }
        }
        guard callers + trackings + holds + registry > 0 else { return }
        let relinked = try Registry.relinkAll(db)
        try AuditLog.append(db, action: "numbers_renormalised", ids: [],
                            reason: "numbers stored by an earlier version read again with the current rules",
                            details: ["callers": "\(callers)", "tracking_numbers": "\(trackings)", "hold_selectors": "\(holds)",
                                      "registry_rows": "\(registry)", "calls_relinked": "\(relinked)"])
    }

    private static func isInternational(_ raw: String) -> Bool {
        let t = raw.trimmedWhitespace
        return t.hasPrefix("+") || t.hasPrefix("00")
    }
}
