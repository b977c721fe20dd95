import Foundation

/// libpq's password file (`~/.pgpass`, or `PGPASSFILE`): one `HOST:PORT:DATABASE:USER:PASSWORD`
/// a line, `*` matching anything in the first four fields, `\:` and `\\` escapes, `#` comments,
/// the first matching line winning. As libpq, a file that group or others may read or write is
/// not used (its password would be no secret); ``PostgresCredentials`` says so instead of
/// silently connecting without a password.
///
/// ```text
/// # ~/.pgpass, mode 0600
/// db.example.net:5432:callvault:worker:s3cret
/// *:*:*:reporting:another\:secret
/// ```
public struct PostgresPassFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var host: String
        public var port: String
        public var database: String
        public var user: String
        public var password: String
    }

    public var entries: [Entry]

    /// Reads the lines of `text`; malformed lines (fewer than five fields) are skipped, as libpq does.
    public init(text: String) {
        entries = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line -> Entry? in
            let line = line.hasSuffix("\r") ? line.dropLast() : Substring(line)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            let fields = Self.fields(line)
            guard fields.count >= 5 else { return nil }
            return Entry(host: fields[0], port: fields[1], database: fields[2], user: fields[3], password: fields[4])
        }
    }

    /// The password of the first entry matching the connection, or nil.
    public func password(host: String, port: Int, database: String, user: String) -> String? {
        func matches(_ field: String, _ value: String) -> Bool { field == "*" || field == value }
        return entries.first {
            matches($0.host, host) && matches($0.port, String(port)) && matches($0.database, database) && matches($0.user, user)
        }?.password
    }

    /// Splits at unescaped colons into at most five fields (the fifth, the password, keeps any
    /// later colon as written, as libpq), undoing `\:` and `\\`.
    private static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if fields.count == 4 {
                if escaped { current.append(c); escaped = false } else if c == "\\" { escaped = true } else { current.append(c) }
                continue
            }
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}
