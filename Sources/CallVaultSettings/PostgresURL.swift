import Foundation

/// `database = "postgres://USER@HOST:PORT/DB?sslmode=…"`: where a PostgreSQL index is (issue 20),
/// read and checked when the config is read, so a typo is `FILE:LINE: reason`, not a failed
/// connection at 3 a.m.
///
/// The password is never part of it: a config file is copied, diffed and pasted into tickets.
/// It comes from `password_file`, `PGPASSWORD` or `~/.pgpass` (CallVaultPostgres reads those).
///
/// ```swift
/// let url = try PostgresURL("postgres://callvault@db.example.net/calls?sslmode=verify-full")
/// url.port        // 5432 (Settings.Defaults.postgresPort)
/// url.sslMode     // .verifyFull; absent: Settings.Defaults.postgresSSLMode (.prefer)
/// ```
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// `sslmode`, as libpq names them (`allow` and `verify-ca` are not offered).
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is not checked (as libpq).
        case prefer
        /// TLS or no connection; the certificate is not checked (as libpq without a root certificate).
        case require
        /// TLS with the certificate chain and the host name checked against the system's trust store.
        case verifyFull = "verify-full"
    }

    public var user: String
    /// A host name or an IP address (an IPv6 address without its brackets).
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    /// Parses and checks `text`; throws ``PostgresURLError`` naming what is wrong.
    public init(_ text: String) throws {
        guard let schemeEnd = text.range(of: "://"),
              ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound].lowercased()) else {
            throw PostgresURLError("\(text.debugDescription) is not a postgres:// URL")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw PostgresURLError("the URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        guard let at = authority.lastIndex(of: "@") else {
            throw PostgresURLError("the URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let userInfo = authority[..<at]
        if userInfo.contains(":") {
            throw PostgresURLError("a password in the URL is refused (it would be readable in the config file); use password_file, PGPASSWORD or ~/.pgpass")
        }
        user = try Self.decode(userInfo, what: "user")
        guard !user.isEmpty else { throw PostgresURLError("the URL names no user (postgres://USER@HOST:PORT/DATABASE)") }

        let hostPort = authority[authority.index(after: at)...]
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw PostgresURLError("an IPv6 host must be in brackets: [::1]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw PostgresURLError("unexpected \(String(after).debugDescription) after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = try Self.decode(hostPort[..<colon], what: "host")
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = try Self.decode(hostPort, what: "host")
        }
        guard !host.isEmpty else { throw PostgresURLError("the URL names no host (postgres://USER@HOST:PORT/DATABASE)") }
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else {
                throw PostgresURLError("port \(String(portText).debugDescription) is not a number from 1 to 65535")
            }
            port = p
        } else {
            port = Settings.Defaults.postgresPort
        }

        database = try Self.decode(path, what: "database")
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("the URL must name one database after the host (postgres://USER@HOST:PORT/DATABASE)")
        }

        sslMode = Settings.Defaults.postgresSSLMode
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard key == "sslmode" else {
                throw PostgresURLError("unknown URL parameter \(key.debugDescription) (only sslmode is read)")
            }
            guard let mode = SSLMode(rawValue: value) else {
                throw PostgresURLError("sslmode \(value.debugDescription) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sslMode = mode
        }
    }

    /// True when `text` is meant as a URL rather than a SQLite path: it has a `scheme://`. Such a
    /// text is never taken for a file name, whatever its scheme.
    public static func looksLikeURL(_ text: String) -> Bool {
        guard let schemeEnd = text.range(of: "://") else { return false }
        let scheme = text[..<schemeEnd.lowerBound]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }

    /// The URL written back, with every part explicit (`sslmode` included); it holds no secret.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(Self.encode(user))@\(h):\(port)/\(Self.encode(database))?sslmode=\(sslMode.rawValue)"
    }

    private static func decode(_ part: Substring, what: String) throws -> String {
        guard let decoded = String(part).removingPercentEncoding else {
            throw PostgresURLError("the \(what) \(String(part).debugDescription) has a bad %-escape")
        }
        return decoded
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Why a `postgres://` URL was refused; the config reader puts it at the `database` line.
public struct PostgresURLError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
