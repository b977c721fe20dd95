import CallVaultCore
import CallVaultStore

/// A value that writes its own compact JSON (``JSONBytes``: the bytes `JSONEncoder` gives with
/// sorted keys and unescaped slashes), so ``JSONOutput`` prints it without going through
/// `Encodable`: `query --format json` writes a page of whole records, and the encoder's boxing
/// and key sorting per field was a fifth of the command's time at 10M calls.
protocol DirectJSON {
    func writeJSON(into json: inout JSONBytes) throws
}

extension CallRecord.Output: DirectJSON {}

extension Array: DirectJSON where Element: DirectJSON {
    func writeJSON(into json: inout JSONBytes) throws {
        json.raw("[")
        for (n, element) in enumerated() {
            if n > 0 { json.comma() }
            try element.writeJSON(into: &json)
        }
        json.raw("]")
    }
}
