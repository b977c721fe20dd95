import CallVaultCore
import Foundation

/// Server-rendered HTML: escaping and the page frame. No inline script or style (CSP `default-src 'self'`).
enum HTML {
    static func escape(_ s: String?) -> String { HTMLText.escape(s) }

    /// The frame of every signed-in page: navigation by role, the page's body, a logout form.
    static func page(title: String, principal: Principal?, body: String, scripts: [String] = []) -> String {
        var nav = ""
        if let p = principal {
            nav += "<a href=\"/calls\">Calls</a> <a href=\"/reports\">Reports</a>"
            if p.role >= .compliance { nav += " <a href=\"/holds\">Holds</a> <a href=\"/audit\">Audit</a>" }
            if p.role >= .compliance { nav += " <a href=\"/evidence\">Evidence</a>" }
            if p.role >= .admin { nav += " <a href=\"/users\">Users</a>" }
            nav += "<form class=\"logout\" method=\"post\" action=\"/logout\">\(csrfField(p))<span>\(escape(p.name)) (\(p.role.rawValue))</span> <button>Log out</button></form>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · callvault</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/assets/app.css">
        \(scripts.map { "<script src=\"\($0)\" defer></script>" }.joined())
        </head><body>
        <header><strong>callvault</strong> <nav>\(nav)</nav></header>
        <main>
        <h1>\(escape(title))</h1>
        \(body)
        </main></body></html>
        """
    }

    static func csrfField(_ p: Principal) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(p.csrf ?? ""))\">"
    }
}
