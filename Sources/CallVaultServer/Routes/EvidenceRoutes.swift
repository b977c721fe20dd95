import CallVaultArchive
import CallVaultCore
import CallVaultStore
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Evidence bundles (role compliance): `GET /evidence` (a form: a hold, or call ids),
/// `POST /evidence` (that form) and `POST /api/evidence` (`{"hold": NAME}` or `{"ids": [...]}`)
/// answer with the bundle `callvault export --bundle` writes, as one tar download
/// (`evidence-DATE/…`). The bundle is built by ``EvidenceBundle`` in a private temporary folder,
/// audited (`access`, kind `export`, the user and the client address) and deleted once sent.
/// Archive files stored as age files are bundled decrypted when the server has `[encryption]
/// identity_file`, else as stored.
struct EvidenceRoutes {
    let state: ServerState

    func collection() -> RouteCollection<ServerContext> {
        let routes = RouteCollection(context: ServerContext.self)
        routes.add(middleware: RequireRole(role: .compliance))
        routes.get("/evidence") { request, context in try await self.page(context, message: nil) }
        routes.post("/evidence") { request, context in try await self.fromForm(request, context) }
        routes.post("/api/evidence") { request, context in try await self.api(request, context) }
        return routes
    }

    /// What to bundle: the calls an active hold covers, or these ids.
    struct Input: Decodable {
        var hold: String?
        var ids: [String]?
    }

    struct Invalid: Error, CustomStringConvertible {
        let status: HTTPResponse.Status
        let description: String
    }

    func api(_ request: Request, _ context: ServerContext) async throws -> Response {
        let input: Input
        do { input = try await request.decode(as: Input.self, context: context) } catch {
            return Responses.error(.badRequest, "the body must be a JSON object with \"hold\" (a hold's name) or \"ids\" (call ids)")
        }
        do {
            return try await bundle(input, context)
        } catch let e as Invalid {
            return Responses.error(e.status, e.description)
        }
    }

    func fromForm(_ request: Request, _ context: ServerContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let ids = form.all("ids").flatMap { $0.split(whereSeparator: { " ,\n\r".contains($0) }).map(String.init) }
        do {
            return try await bundle(Input(hold: form["hold"], ids: ids.isEmpty ? nil : ids), context)
        } catch let e as Invalid {
            return try await page(context, message: e.description, status: e.status)
        }
    }

    /// Builds the bundle and answers with it as a tar stream.
    func bundle(_ input: Input, _ context: ServerContext) async throws -> Response {
        guard let principal = context.principal else { throw Invalid(status: .unauthorized, description: "sign in first") }
        let selected: [String]
        let selection: String
        switch (input.hold?.trimmingCharacters(in: .whitespaces), input.ids) {
        case (let hold?, nil) where !hold.isEmpty:
            guard let covered = try await state.store.evidence({ try $0.calls(coveredBy: hold) }) else {
                throw Invalid(status: .notFound, description: "no active hold named \(hold.debugDescription)")
            }
            selected = covered
            selection = "hold \(hold)"
        case (nil, let ids?) where !ids.isEmpty && ids.count <= 10_000:
            for id in ids where !(RecordID.isWellFormed(id) || (id.count <= 200 && !id.isEmpty)) {
                throw Invalid(status: .badRequest, description: "\(id.debugDescription) is not a call id")
            }
            selected = ids.map { RecordID.isWellFormed($0) ? $0 : RecordID.make(callID: $0) }
            selection = "ids " + ids.joined(separator: " ")
        default:
            throw Invalid(status: .badRequest, description: "give a hold's name or call ids (one of them)")
        }
        guard !selected.isEmpty else { throw Invalid(status: .notFound, description: "no call matches \(selection)") }

        let stamp = Timestamp.format(state.now()).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let name = "evidence-\(stamp)"
        var template = Array((NSTemporaryDirectory() + "/callvault-evidence-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Invalid(status: .internalServerError, description: "cannot make a temporary folder for the bundle")
        }
        let scratch = String(cString: made)
        let folder = scratch + "/" + name
        let result: EvidenceBundle.Result
        let (root, identities, by, address) = (state.settings.archiveRoot, state.settings.identities, principal.name, context.clientAddress)
        do {
            result = try await state.store.evidence { source in
                try EvidenceBundle(source: source, archiveRoot: root, identities: identities)
                    .write(ids: selected, selection: selection, to: folder, by: by, via: "serve", address: address)
            }
        } catch let failure as EvidenceBundle.Failure {
            try? FileManager.default.removeItem(atPath: scratch)
            throw Invalid(status: .notFound, description: failure.description)
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
        // Folders first, then each file: header, content, padding; sizes known now.
        var entries: [(name: String, path: String?, size: Int)] = [(name, nil, 0)]
        if result.files.contains(where: { $0.hasPrefix("audio/") }) { entries.append((name + "/audio", nil, 0)) }
        for file in result.files {
            let path = folder + "/" + file
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            entries.append((name + "/" + file, path, size))
        }
        var headers: [[UInt8]] = []
        for entry in entries {
            headers.append(try TarFormat.header(name: entry.name, size: entry.size, folder: entry.path == nil, mtime: state.now()))
        }
        let length = entries.reduce(0) { $0 + TarFormat.blockSize + $1.size + TarFormat.padding(after: $1.size).count } + TarFormat.end.count
        let parts = Array(zip(entries, headers))
        let body = ResponseBody(contentLength: length) { writer in
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            for (entry, header) in parts {
                try await writer.write(ByteBuffer(bytes: header))
                guard let path = entry.path, let handle = FileHandle(forReadingAtPath: path) else { continue }
                defer { try? handle.close() }
                var remaining = entry.size
                while remaining > 0 {
                    let chunk = try handle.read(upToCount: min(remaining, 64 * 1024)) ?? Data()
                    if chunk.isEmpty { break }
                    remaining -= chunk.count
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.write(ByteBuffer(bytes: TarFormat.padding(after: entry.size)))
            }
            try await writer.write(ByteBuffer(bytes: TarFormat.end))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-tar", .cacheControl: "no-store",
                                               .contentDisposition: "attachment; filename=\"\(name).tar\""],
                        body: body)
    }

    func page(_ context: ServerContext, message: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let p = context.principal else { return Responses.error(.unauthorized, "sign in first") }
        let e = HTML.escape
        let holds = try await state.store.holds(includeRemoved: false)
        let options = holds.map { "<option value=\"\(e($0.name))\">\(e($0.name)) (\($0.calls ?? 0) calls)</option>" }.joined()
        let body = (message.map { "<p class=\"error\">\(e($0))</p>" } ?? "") + """
        <p>An evidence bundle holds the calls' audio, their records with SHA-256 (manifest.json), every audit entry naming \
        them (audit.json, audit.csv), a fresh check of each file (verify.json), an index.html that reads offline, and \
        SHA256SUMS (<code>sha256sum -c SHA256SUMS</code>). It downloads as one tar file; the export is audited.</p>
        <form method="post" action="/evidence" class="filters">\(HTML.csrfField(p))
        <label>Legal hold <select name="hold"><option value="">—</option>\(options)</select></label><button>Download bundle</button></form>
        <form method="post" action="/evidence" class="filters">\(HTML.csrfField(p))
        <label>Call ids <textarea name="ids" rows="3" placeholder="c0123… c4567…"></textarea></label><button>Download bundle</button></form>
        """
        return Responses.html(status, HTML.page(title: "Evidence bundles", principal: p, body: body))
    }
}
