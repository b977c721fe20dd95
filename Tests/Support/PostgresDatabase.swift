import Foundation

/// A database of its own on the test cluster (`CALLVAULT_TEST_POSTGRES_URL`, set by scripts/test.sh
/// with `PGPASSFILE`), for tests that drive the binary on PostgreSQL; read back with `psql`, an
/// independent reader. Without the variable those tests are skipped, saying why.
package struct PostgresDatabase {
    package static let baseURL = ProcessInfo.processInfo.environment["CALLVAULT_TEST_POSTGRES_URL"]
    package static var isConfigured: Bool { baseURL != nil && Support.which("psql") != nil }

    package let name: String
    /// The database's URL, as `database =` or `--db` takes it.
    package let url: String

    /// Creates an empty database; ``drop()`` removes it.
    package init() throws {
        let base = try Self.requireBase()
        // Only [a-z0-9_]: a database name cannot be a bound parameter, so it is safe by construction.
        name = "cvrun_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url = try Self.url(base, database: name)
        _ = try Self.psql(base, "CREATE DATABASE \(name)")
    }

    package func drop() {
        if let base = Self.baseURL { _ = try? Self.psql(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    /// Rows of `sql` in this database, each a list of its columns' texts (NULL as "").
    package func rows(_ sql: String) throws -> [[String]] {
        try Self.psql(url, sql).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Runs `sql` through psql against `url`, stopping at the first error; unaligned, tab-separated.
    @discardableResult
    package static func psql(_ url: String, _ sql: String) throws -> String {
        let r = try Support.run("psql", ["-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        try Support.require(r.status == 0, "psql \(sql): \(r.stderr)")
        return r.stdout
    }

    /// `base` with its database replaced by `database` (the path of the URL).
    private static func url(_ base: String, database: String) throws -> String {
        guard var parts = URLComponents(string: base) else { throw PostgresDatabaseError("not a URL: \(base)") }
        parts.path = "/" + database
        guard let url = parts.string else { throw PostgresDatabaseError("cannot build a URL for \(database) from \(base)") }
        return url
    }

    private static func requireBase() throws -> String {
        guard let baseURL else { throw PostgresDatabaseError("CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)") }
        return baseURL
    }
}

package struct PostgresDatabaseError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
