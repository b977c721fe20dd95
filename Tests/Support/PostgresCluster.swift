import Foundation

/// A throwaway PostgreSQL cluster of a test's own (`scripts/pg-cluster.sh start DIR
/// --also-listen ADDR/PREFIX`), for a test that needs the server on an address the suite's
/// cluster does not listen on, such as the host's end of a bridge to network namespaces
/// (``MachineNetwork``). ``stop()`` stops it and removes its folder.
package struct PostgresCluster {
    /// The cluster's folder: its data, socket, server.log and `pgpass` (the password, mode 0600).
    package let folder: String
    package let port: Int
    package var passFile: String { folder + "/pgpass" }

    /// Starts a cluster listening on 127.0.0.1 and on `alsoListen`'s address, taking logins from its network.
    package init(alsoListen: String) throws {
        folder = try Support.temporaryDirectory("pg-cluster").path
        let r = try Support.run(Support.packageRoot.appendingPathComponent("scripts/pg-cluster.sh").path,
                                ["start", folder, "--also-listen", alsoListen])
        guard r.status == 0, let parts = URLComponents(string: r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), let port = parts.port else {
            try? FileManager.default.removeItem(atPath: folder)
            throw Support.Failure(description: "scripts/pg-cluster.sh start: exit \(r.status): \(r.stderr)")
        }
        self.port = port
    }

    /// The URL of `database` on `host` (an address the server listens on), as `database =` takes it.
    package func url(host: String = "127.0.0.1", database: String = "callvault") -> String {
        "postgres://callvault@\(host):\(port)/\(database)?sslmode=disable"
    }

    /// Rows of `sql` in `database` (through psql on the loopback address, with this cluster's
    /// password file), each a list of its columns' texts (NULL as "").
    package func rows(_ sql: String, database: String = "callvault") throws -> [[String]] {
        let r = try Support.run("psql", ["-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql],
                                environment: ["PGPASSFILE": passFile])
        try Support.require(r.status == 0, "psql \(sql): \(r.stderr)")
        return r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    package func stop() {
        _ = try? Support.run(Support.packageRoot.appendingPathComponent("scripts/pg-cluster.sh").path, ["stop", folder])
    }
}
