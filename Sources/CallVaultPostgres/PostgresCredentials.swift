import CallVaultSettings
import Foundation

/// The password for a `postgres://` index, from where it may be (never from the URL or the
/// config file): the config's `password_file`, else `PGPASSWORD`, else the password file libpq
/// reads (`PGPASSFILE`, else `~/.pgpass`). No password at all is allowed: the server may trust
/// the connection (a Unix socket, `trust` in pg_hba.conf), and says so if it does not.
///
/// ```swift
/// let credentials = try PostgresCredentials.resolve(url: url, passwordFile: config.passwordFile)
/// credentials.source      // .passFile("/home/worker/.pgpass")
/// ```
public struct PostgresCredentials: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case passwordFile(String)
        case environment
        case passFile(String)
        case none
    }

    public var password: String?
    public var source: Source
    /// Why a password file was passed over (e.g. its mode lets others read it), for the log and
    /// for the error when the server then refuses the login.
    public var notes: [String]

    /// Looks the password up; `environment` and `home` are the process's unless a test gives its own.
    /// Throws ``PostgresIndexError`` (`.credentials`) when `passwordFile` is named but unusable.
    public static func resolve(url: PostgresURL, passwordFile: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               home: String? = nil) throws -> PostgresCredentials {
        if let passwordFile {
            return PostgresCredentials(password: try readPasswordFile(passwordFile), source: .passwordFile(passwordFile), notes: [])
        }
        if let password = environment["PGPASSWORD"], !password.isEmpty {
            return PostgresCredentials(password: password, source: .environment, notes: [])
        }
        let home = home ?? environment["HOME"] ?? NSHomeDirectory()
        let passFile = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.pgpass"
        var notes: [String] = []
        if let mode = permissions(passFile) {
            if mode & 0o077 != 0 {
                notes.append("\(passFile) is not used: its mode \(String(mode, radix: 8)) lets others read it (chmod 0600, as libpq requires)")
            } else if let text = try? String(contentsOfFile: passFile, encoding: .utf8),
                      let password = PostgresPassFile(text: text).password(host: url.host, port: url.port, database: url.database, user: url.user) {
                return PostgresCredentials(password: password, source: .passFile(passFile), notes: [])
            }
        }
        return PostgresCredentials(password: nil, source: .none, notes: notes)
    }

    /// The first line of `path`, which must be a regular file of mode 0600 or stricter.
    static func readPasswordFile(_ path: String) throws -> String {
        guard let mode = permissions(path) else {
            throw PostgresIndexError(.credentials, "password_file \(path): cannot read it (missing, or not a regular file)")
        }
        guard mode & 0o077 == 0 else {
            throw PostgresIndexError(.credentials, "password_file \(path): mode \(String(mode, radix: 8)) lets others read it; chmod 0600")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PostgresIndexError(.credentials, "password_file \(path): cannot read it (\((error as NSError).localizedDescription))")
        }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard !password.isEmpty else { throw PostgresIndexError(.credentials, "password_file \(path): its first line is empty") }
        return password
    }

    /// The permission bits of a regular file, nil when it is missing or not a regular file.
    private static func permissions(_ path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let mode = attributes[.posixPermissions] as? NSNumber else { return nil }
        return mode.intValue & 0o777
    }
}
