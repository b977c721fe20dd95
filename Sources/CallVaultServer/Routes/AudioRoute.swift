import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// `GET /calls/{id}/audio`: the Opus file with byte ranges (so a browser can seek), an ETag from its
/// SHA-256, `?download=1` as an attachment under `export`'s name; 410 once purged. An encrypted
/// `ID.opus.age` is served decrypted with `[encryption] identity_file`: size, ranges and ETag are
/// the Opus plaintext's (`opus_sha256`), and a range decrypts only its chunks. The path comes
/// from the index record and must resolve under the archive root. Each play (first request in a
/// session, or by a token within an hour) and each download is an `access` audit entry.
struct AudioRoute {
    let state: ServerState

    func handle(_ request: Request, _ context: ServerContext) async throws -> Response {
        guard let principal = context.principal else { return Responses.error(.unauthorized, "sign in first") }
        let id = context.parameters.get("id") ?? ""
        guard RecordID.isWellFormed(id) else { return Responses.error(.badRequest, "\(id.debugDescription) is not a call id") }
        guard let record = try await state.store.call(id: id) else { return Responses.error(.notFound, "no call \(id)") }
        if let purgedAt = record.audioPurgedAt {
            let purged = IndexTime.text(purgedAt)
            return Responses.json(.gone, ["error": "the audio of \(id) was purged on \(purged) under retention rule \(record.retentionRule ?? "unknown")",
                                          "purged_at": purged, "rule": record.retentionRule ?? ""])
        }
        guard let path = Self.resolve(record.archivePath, under: state.settings.archiveRoot) else {
            return Responses.error(.internalServerError, "the index names a file outside the archive for \(id)")
        }
        let audio: CallAudio
        do throws(CallAudio.Failure) {
            audio = try CallAudio(path: path, identities: state.settings.identities)
        } catch {
            switch error.kind {
            case .missing: return Responses.error(.notFound, "the audio file of \(id) is missing")
            case .needsIdentity: return Responses.error(.conflict, "the audio of \(id) is encrypted and this server has no [encryption] identity_file")
            case .noMatch, .refused: return Responses.error(.internalServerError, "the audio of \(id) cannot be decrypted: \(error.message)")
            }
        }
        // Sizes, ranges and the ETag are the Opus plaintext's: a plain file's own, an encrypted
        // file's opus_sha256.
        let size = audio.size
        let etag = "\"\(audio.encrypted ? record.opusSha256 : record.sha256)\""
        let download = FormData(request.uri.query ?? "")["download"] == "1"

        var headers: HTTPFields = [.contentType: "audio/ogg; codecs=opus", .acceptRanges: "bytes", .eTag: etag,
                                   .cacheControl: "private, max-age=3600"]
        if download { headers[.contentDisposition] = "attachment; filename=\"\(record.exportFileName)\"" }
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }

        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            switch Self.parseRange(header, size: size) {
            case .whole: break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .range(let r):
                range = r
                status = .partialContent
                headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(size)"
            }
        }
        headers[.contentLength] = "\(range.count)"

        if request.method == .get, range.lowerBound == 0 || download {
            let now = state.now()
            let newPlay = await state.plays.shouldAudit(principal: principal, callID: id, now: now, tokenWindow: state.settings.tokenPlayWindow)
            if download || newPlay {
                try await state.store.appendAudit(
                    action: "access", ids: [id], reason: download ? "download" : "play", sha256: record.sha256,
                    details: ["by": principal.name, "address": context.clientAddress ?? "unknown", "kind": download ? "download" : "play",
                              "via": principal.via == .token ? "token" : "session"])
                state.metrics.countPlay(download: download)
            }
        }
        if request.method == .head { return Response(status: status, headers: headers) }
        let span = range
        let body = ResponseBody(contentLength: span.count) { writer in
            // An encrypted file: each read decrypts and authenticates only the chunks in the span.
            var offset = span.lowerBound
            while offset < span.upperBound {
                let chunk = try audio.read(at: offset, upTo: min(span.upperBound - offset, 64 * 1024))
                if chunk.isEmpty { break }
                offset += chunk.count
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The archive file of a record, or nil when the stored path would leave the archive root.
    static func resolve(_ archivePath: String, under root: String) -> String? {
        let parts = archivePath.split(separator: "/")
        guard !archivePath.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        let full = URL(fileURLWithPath: root).appendingPathComponent(archivePath).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        return full.hasPrefix(base + "/") ? full : nil
    }

    enum RangeRequest: Equatable { case whole, unsatisfiable, range(Range<Int>) }

    /// One `bytes=` range (`a-b`, `a-`, `-n`); several ranges are answered with the whole file.
    static func parseRange(_ header: String, size: Int) -> RangeRequest {
        let h = header.trimmingCharacters(in: .whitespaces)
        guard h.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = h.dropFirst(6)
        if spec.contains(",") { return .whole }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return .whole }
        if parts[0].isEmpty {
            guard let n = Int(parts[1]), n > 0 else { return .unsatisfiable }
            return size == 0 ? .unsatisfiable : .range(max(0, size - n)..<size)
        }
        guard let start = Int(parts[0]), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if parts[1].isEmpty { return .range(start..<size) }
        guard let end = Int(parts[1]), end >= start else { return .whole }
        return .range(start..<min(end + 1, size))
    }
}
