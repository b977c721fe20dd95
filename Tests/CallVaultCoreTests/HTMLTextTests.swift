import CallVaultCore
import Foundation
import Testing

@Suite("HTML escaping")
struct HTMLTextTests {
    @Test("the five characters become entities, everything else is kept, plain text comes back as it was")
    func escapes() {
        #expect(HTMLText.escape(nil) == "")
        #expect(HTMLText.escape("") == "")
        #expect(HTMLText.escape("2026-11-20 09:00:00 EST") == "2026-11-20 09:00:00 EST")
        #expect(HTMLText.escape("Été — 名前 😀") == "Été — 名前 😀")
        #expect(HTMLText.escape("<a href=\"x\">O'Brien & Co</a>") == "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; Co&lt;/a&gt;")
        #expect(HTMLText.escape("é&") == "é&amp;")
        // A string whose UTF-8 is not contiguous (bridged from NSString) takes the copying path.
        let bridged = NSString(string: "tab\t<b>") as String
        #expect(HTMLText.escape(bridged) == "tab\t&lt;b&gt;")
    }
}
