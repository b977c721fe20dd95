import Foundation
import HummingbirdBcrypt

/// Password hashing (bcrypt, cost ≥ 12) and the rules a new password must meet.
public enum Passwords {
    public static let minimumLength = 10

    public static func hash(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// Why a password is refused, or nil.
    public static func problem(_ password: String) -> String? {
        if password.count < minimumLength { return "a password needs at least \(minimumLength) characters" }
        if password.utf8.count > 72 { return "a password may have at most 72 bytes (bcrypt's limit)" }
        return nil
    }

    /// The password from non-interactive input: its first line; an identical second line (a
    /// confirmation) may follow, a different one is refused.
    public static func fromInput(_ text: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let first = lines.first, !first.isEmpty else { throw PasswordInputError("no password on standard input (its first line)") }
        if lines.count > 1, !lines[1].isEmpty, lines[1] != first {
            throw PasswordInputError("the confirmation line does not match the password")
        }
        return first
    }

    public struct PasswordInputError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// A new API token and the SHA-256 digest to store: the token is shown once and never kept.
    public static func newToken() -> (token: String, digest: String) {
        let token = "cvt_" + ServerState.randomToken()
        return (token, ServerState.sha256(token))
    }

    /// A hash to verify against when the user does not exist, so both paths take bcrypt's time.
    static let decoy = Bcrypt.hash("decoy password that matches nothing", cost: 12)
}
