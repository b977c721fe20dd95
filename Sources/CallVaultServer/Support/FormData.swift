import Foundation

/// `application/x-www-form-urlencoded` pairs, in order, repeated names kept: `campaign=A&campaign=B`
/// gives two values, and a comma inside a value is literal.
public struct FormData: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    static func decode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    /// The first non-empty value.
    public subscript(_ name: String) -> String? {
        pairs.first { $0.name == name && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }?.value
    }

    /// Every non-empty value of a name.
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
    }

    public static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}
