import Crypto
import Foundation

/// One recipient stanza: `-> TYPE ARG…` then its body in wrapped base64.
public struct AgeStanza: Sendable, Equatable {
    public var type: String
    public var arguments: [String]
    public var body: [UInt8]

    /// The canonical text: arguments line, body at 64 columns, final line shorter than 64 (maybe empty).
    func encoded() -> String {
        var text = "-> " + ([type] + arguments).joined(separator: " ") + "\n"
        let b64 = Array(AgeBase64.encode(body).utf8)
        var i = 0
        while true {
            let end = min(i + 64, b64.count)
            text += String(decoding: b64[i..<end], as: UTF8.self) + "\n"
            if end - i < 64 { break }
            i = end
        }
        return text
    }
}

/// The age v1 header: the version line, the stanzas, and the MAC over everything up to `---`.
public struct AgeHeader: Sendable {
    public static let versionLine = "age-encryption.org/v1"
    /// A header longer than this is refused (real ones are a few hundred bytes per recipient).
    public static let maximumLength = 1 << 20

    public var stanzas: [AgeStanza]
    public var mac: [UInt8]
    /// The exact bytes the MAC covers: from the version line to `---` (no space after).
    public var macInput: [UInt8]

    /// Parses a header from `reader`, leaving it positioned at the first payload byte.
    /// Strict: LF line ends only, canonical base64, full body lines exactly 64 columns.
    public static func parse(_ reader: inout ByteReader) throws -> AgeHeader {
        var consumed: [UInt8] = []
        func line() throws -> [UInt8] {
            guard let line = try reader.readLine(limit: maximumLength - consumed.count) else {
                throw AgeError(.header, "the header ends before its MAC line")
            }
            consumed += line + [0x0a]
            return line
        }
        func fail(_ message: String) -> AgeError { AgeError(.header, message) }

        guard try line() == Array(versionLine.utf8) else { throw fail("not an age v1 file (first line is not \(versionLine))") }
        var stanzas: [AgeStanza] = []
        var next = try line()
        while true {
            if next.starts(with: Array("-> ".utf8)) {
                let fields = next.dropFirst(3).split(separator: 0x20, omittingEmptySubsequences: false)
                for field in fields {
                    guard !field.isEmpty else { throw fail("stanza \(stanzas.count + 1): empty argument") }
                    guard field.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw fail("stanza \(stanzas.count + 1): invalid character in an argument") }
                }
                var body: [UInt8] = []
                while true {
                    let bodyLine = try line()
                    guard bodyLine.count <= 64 else { throw fail("stanza \(stanzas.count + 1): body line longer than 64 columns") }
                    guard let bytes = AgeBase64.decode(bodyLine) else { throw fail("stanza \(stanzas.count + 1): body is not canonical unpadded base64") }
                    body += bytes
                    if bodyLine.count < 64 { break }
                }
                let strings = fields.map { String(decoding: $0, as: UTF8.self) }
                stanzas.append(AgeStanza(type: strings[0], arguments: Array(strings.dropFirst()), body: body))
                next = try line()
            } else if next.starts(with: Array("---".utf8)) {
                let macInput = Array(consumed[..<(consumed.count - next.count - 1 + 3)])
                guard next.count > 4, next[3] == 0x20, let mac = AgeBase64.decode(next[4...]), mac.count == 32 else {
                    throw fail("the MAC line is not \"--- \" and 43 characters of canonical base64")
                }
                guard !stanzas.isEmpty else { throw fail("no recipient stanza") }
                return AgeHeader(stanzas: stanzas, mac: mac, macInput: macInput)
            } else {
                throw fail("unexpected line in the header (neither a stanza nor the MAC)")
            }
        }
    }

    /// The header text for `stanzas` with its MAC under `fileKey`.
    static func encode(stanzas: [AgeStanza], fileKey: SymmetricKey) -> [UInt8] {
        var text = Array((versionLine + "\n" + stanzas.map { $0.encoded() }.joined()).utf8) + Array("---".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: text, using: macKey(fileKey))
        text += Array((" " + AgeBase64.encode(Array(mac)) + "\n").utf8)
        return text
    }

    static func macKey(_ fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: [UInt8](), info: Array("header".utf8), outputByteCount: 32)
    }

    /// Whether the MAC matches under `fileKey` (constant time).
    func authenticates(with fileKey: SymmetricKey) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: macInput, using: Self.macKey(fileKey))
    }
}
