import Foundation
import Hummingbird
import Logging

/// The structured access log: one line per request with its method, path, status and time taken.
///
/// The path is logged without its query string: filters carry caller numbers
/// (`/calls?caller=+12125550187`) and the login's `next`, and an access log is kept longer and read
/// by more people than the audit trail. Bodies (passwords, CSRF tokens) and headers (cookies,
/// `Authorization`) are never logged. Hummingbird's `LogRequestsMiddleware` logs the whole URI,
/// hence this one.
///
/// ```
/// info request [method: GET, path: /calls, status: 200, duration_ms: 3]
/// ```
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    init(_ level: Logger.Level = .info) { self.level = level }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let logger = context.logger
        func log(_ status: Int) {
            let elapsed = ContinuousClock.now - start
            let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            logger.log(level: level, "request", metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.uri.path)",
                "status": "\(status)",
                "duration_ms": "\(ms)",
            ])
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            log(error.status.code)
            throw error
        } catch {
            log(500)
            // The operator's only clue to a 500: what failed (a database step names itself).
            // Errors name steps and files, never a request's query string, body or credentials.
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw error
        }
    }
}
