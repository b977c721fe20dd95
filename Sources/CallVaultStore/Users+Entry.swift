extension Users {
    /// The audit entry an account change appends: one text for both backends, so `audit list`
    /// reads the same on SQLite and PostgreSQL (``Users`` and CallVaultPostgres's `PostgresUsers`).
    public struct Entry: Sendable, Equatable {
        public var action: String
        public var reason: String
        public var details: [String: String]

        public static func added(_ name: String, role: Role) -> Entry {
            Entry(action: "user_added", reason: "user \(name) added", details: ["user": name, "role": role.rawValue])
        }

        public static func removed(_ name: String) -> Entry {
            Entry(action: "user_removed", reason: "user \(name) removed", details: ["user": name])
        }

        public static func passwordChanged(_ name: String) -> Entry {
            Entry(action: "user_password_changed", reason: "password of \(name) changed", details: ["user": name])
        }

        public static func tokenIssued(_ name: String) -> Entry {
            Entry(action: "user_token_issued", reason: "API token issued to \(name)", details: ["user": name])
        }
    }
}
