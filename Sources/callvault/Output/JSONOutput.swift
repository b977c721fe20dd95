import CallVaultCore
import Foundation

/// JSON on stdout: sorted keys, no escaped slashes; pretty unless asked otherwise. A value that
/// writes itself (``DirectJSON``: call records) is written directly and laid out as the encoder
/// lays it out (``JSONBytes/prettyPrinted(_:)``): the same bytes, tested against the encoder.
enum JSONOutput {
    static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        if let direct = value as? any DirectJSON {
            var json = JSONBytes()
            try direct.writeJSON(into: &json)
            return String(decoding: pretty ? JSONBytes.prettyPrinted(json.bytes) : json.bytes, as: UTF8.self)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
