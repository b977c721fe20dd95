import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Response builders: JSON errors (`{"error": …}`), HTML pages, redirects.
enum Responses {
    static func json(_ status: HTTPResponse.Status, _ object: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// JSON already written (``JSONBytes``).
    static func json(_ status: HTTPResponse.Status, bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func jsonText(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": message])
    }

    static func html(_ status: HTTPResponse.Status = .ok, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status = .ok, _ text: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// An error as JSON for `/api/…` and audio, as an HTML page otherwise.
    static func failure(_ status: HTTPResponse.Status, _ message: String, request: Request, principal: Principal?) -> Response {
        if wantsJSON(request) { return error(status, message) }
        return html(status, HTML.page(title: "\(status.code) \(status.reasonPhrase)", principal: principal,
                                      body: "<p class=\"error\">\(HTML.escape(message))</p>"))
    }

    static func wantsJSON(_ request: Request) -> Bool {
        let path = request.uri.path
        return path.hasPrefix("/api/") || path == "/api" || path.hasSuffix("/audio") || path == "/metrics"
    }
}
