@testable import CallVaultServer
import Foundation
import Testing

@Suite("Query strings: byte-level decoding and encoding, Foundation's results")
struct FormDataTests {
    /// What FormData did before it worked on bytes.
    static func referenceDecode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    static func referenceEncode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    static func referenceBlank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespaces).isEmpty }

    /// Pieces that exercise every branch: escapes upper and lower case, broken escapes, `+`,
    /// escaped bytes that are not UTF-8, non-ASCII text, blanks of several kinds.
    static let pieces = ["a", "Z", "0", "+", "%", "%2", "%2B", "%2b", "%zz", "%C3%A9", "%C3", "%FF", "%00", "é", "名", "😀",
                         " ", "\t", "\u{00A0}", "\u{3000}", "&", "=", ",", "-", ".", "_", "~", "/", "?", "#", "'", "\"", "<"]

    @Test("decode: the same text as removingPercentEncoding with + as space, on 20,000 random strings")
    func decodeMatches() {
        var rng = SystemRandomNumberGenerator()
        for piece in Self.pieces {
            #expect(FormData.decode(Substring(piece)) == Self.referenceDecode(Substring(piece)), "\(piece.debugDescription)")
        }
        for _ in 0..<20_000 {
            let s = (0..<Int.random(in: 0...8, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            #expect(FormData.decode(Substring(s)) == Self.referenceDecode(Substring(s)), "\(s.debugDescription)")
        }
    }

    @Test("encode and blank values: the same as Foundation on random strings")
    func encodeAndBlankMatch() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let name = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            let value = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            #expect(FormData.encode([(name, value), ("campaign", value)]) == Self.referenceEncode([(name, value), ("campaign", value)]),
                    "\(name.debugDescription)=\(value.debugDescription)")
            #expect(FormData.isBlank(value) == Self.referenceBlank(value), "\(value.debugDescription)")
        }
        #expect(FormData.encode([]) == "")
        #expect(FormData.encode([("", "+1 (212) 555-0187")]) == "=%2B1%20%28212%29%20555-0187")
    }

    @Test("a query string round-trips through encode and decode, repeated names and commas kept")
    func roundTrip() {
        let pairs = [("campaign", "Spring, 2026"), ("campaign", "Été"), ("caller", "+12125550187"), ("since", "2026-11-01")]
        let form = FormData(FormData.encode(pairs))
        #expect(form.pairs.map(\.name) == pairs.map(\.0))
        #expect(form.pairs.map(\.value) == pairs.map(\.1))
        #expect(form.all("campaign") == ["Spring, 2026", "Été"])
        #expect(FormData("caller=+&source=%20%09&outcome=missed")["caller"] == nil)
        #expect(FormData("caller=+&source=%20%09&outcome=missed")["source"] == nil)
        #expect(FormData("caller=+&source=%20%09&outcome=missed")["outcome"] == "missed")
    }
}
