import Crypto
import Foundation
import GRDB

/// What the registry was last imported from: the SHA-256 of the file's text and of the settings
/// that read it (country code, time zone), kept in `meta`. The same file again is recognised
/// without parsing 100,000 rows; any other file, or the same one read differently, is imported.
extension Registry {
    public static func fingerprint(text: String, countryCode: String, timeZone: String) -> String {
        let digest = SHA256.hash(data: Data((countryCode + "\n" + timeZone + "\n" + text).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// True when the registry in the index was imported from exactly this fingerprint.
    public func isImported(fingerprint: String) throws -> Bool {
        try index.pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'registry_fingerprint'") == fingerprint
        }
    }

    /// Rows in the registry.
    public func rowCount() throws -> Int {
        try index.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM registry") ?? 0 }
    }

    /// Records `fingerprint` as the registry's source (after a successful import).
    public func recordImport(fingerprint: String) throws {
        try index.pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('registry_fingerprint', ?)", arguments: [fingerprint])
        }
    }
}
