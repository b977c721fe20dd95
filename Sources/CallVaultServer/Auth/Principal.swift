import CallVaultStore

/// Who is asking: a signed-in user (session cookie) or an API token's owner.
public struct Principal: Sendable, Equatable {
    public enum Via: Sendable, Equatable {
        /// A cookie session: the SHA-256 of its id.
        case session(idDigest: String)
        case token
    }

    public var name: String
    public var role: Users.Role
    public var via: Via
    /// The session's CSRF token (nil for a token).
    public var csrf: String?
}
