import Crypto
import Foundation

/// The archive id of a call: stable (the same `call_id` always gives the same id), unique per
/// `call_id`, and safe as a file name whatever the sidecar says (`../../x` included).
///
/// `c` followed by the first 24 hex digits of SHA-256 over `callvault-id-v1` and the call id.
public enum RecordID {
    public static func make(callID: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("callvault-id-v1\u{0}".utf8))
        hasher.update(data: Data(callID.utf8))
        return "c" + hasher.finalize().prefix(12).hexString
    }

    /// True for strings `make` could have produced: what a command accepts as an id.
    public static func isWellFormed(_ id: String) -> Bool {
        id.count == 25 && id.hasPrefix("c") && id.dropFirst().allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
