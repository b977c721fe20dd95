import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes

/// `/healthz` (public: the index answers), `/metrics` (signed in: Prometheus text), and the static
/// assets of the pages (public: a stylesheet and the call page's seek script, compiled in).
struct SystemRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.get("/healthz") { _, _ in
            try await self.state.store.checkAnswers()
            return Responses.text(.ok, "ok\n")
        }
        routes.get("/metrics") { _, context in
            guard context.principal != nil else { return Responses.error(.unauthorized, "sign in first") }
            let calls = try await self.state.store.countCalls()
            return Responses.text(.ok, self.state.metrics.exposition(calls: calls), type: "text/plain; version=0.0.4")
        }
        // No icon: an empty answer rather than a 404 in every browser console.
        routes.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        routes.get("/assets/app.css") { _, _ in Self.asset(Assets.css, type: "text/css; charset=utf-8") }
        routes.get("/assets/call.js") { _, _ in Self.asset(Assets.callScript, type: "text/javascript; charset=utf-8") }
        return routes
    }

    static func asset(_ text: String, type: String) -> Response {
        var r = Responses.text(.ok, text, type: type)
        r.headers[.cacheControl] = "public, max-age=3600"
        return r
    }
}

/// The pages' stylesheet and script (no inline script or style anywhere: CSP `default-src 'self'`).
enum Assets {
    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0}
    header{display:flex;gap:16px;align-items:center;padding:8px 24px;background:#1d2330;color:#fff}
    header a{color:#cfe0ff;margin-right:12px}header nav{display:flex;align-items:center;flex:1}
    form.logout{margin-left:auto;display:flex;gap:8px;align-items:center}
    main{padding:16px 24px;max-width:1200px}h1{font-size:20px}
    form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:flex-end;margin-bottom:12px}
    form.filters label{display:flex;flex-direction:column;font-size:12px;color:#5b6473}
    form.login{display:flex;flex-direction:column;gap:8px;max-width:320px}
    table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e6e9ef;padding:4px 6px;text-align:left;vertical-align:top}
    th{background:#f4f6f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
    td.missed{color:#b3261e}td.abandoned{color:#a86b00}td.answered{color:#1e7a3c}
    table.fields th{width:260px}
    .error{color:#b3261e}.message{color:#1e5bb3}.purged{color:#b3261e;font-weight:600}
    audio{width:100%;max-width:800px;display:block;margin:8px 0}
    svg.timeline{max-width:800px;display:block;margin:8px 0}ul.silences{columns:3;font-size:12px}
    section.redactions h2{font-size:15px;margin:12px 0 4px}ul.redactions{columns:2;font-size:12px}
    nav.pages{margin:12px 0}
    """

    /// Clicking a silence (a `#t=SECONDS` link) seeks the player there.
    static let callScript = """
    document.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#t="]');
      var player = document.getElementById('player');
      if (!link || !player) return;
      event.preventDefault();
      player.currentTime = parseFloat(link.getAttribute('href').slice(3));
      player.play();
    });
    """
}
