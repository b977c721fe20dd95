import Foundation
import CallVaultStore

/// The spool folder a phone system fills: `incoming/` (pairs `STEM.EXT` + `STEM.json`), `failed/`
/// (quarantined pairs with `STEM.error.json`) and `done/` (inputs kept after archiving, when configured).
public struct Spool: Sendable {
    public let root: String
    public var incoming: String { root + "/incoming" }
    public var failed: String { root + "/failed" }
    public var done: String { root + "/done" }

    public init(root: String) { self.root = root }

    /// Creates `incoming/` and `failed/` under an existing spool root.
    public func prepare(keepOriginals: Bool) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw WorkerError.configuration("spool folder \(root) does not exist")
        }
        for dir in [incoming, failed] + (keepOriginals ? [done] : []) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    /// Names that are never inputs: dotfiles and files still being written.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix(".error.json")
    }

    /// Ready pairs in `incoming/`, oldest stem first. A pair is ready when `STEM.json` and exactly one
    /// other `STEM.EXT` exist; audio alone is left untouched. Names that are not valid UTF-8 are
    /// reported through `skipped` and left alone.
    public func scan(skipped: (String) -> Void = { _ in }) throws -> [JobQueue.Arrival] {
        guard let dir = opendir(incoming) else {
            throw WorkerError.configuration("cannot read \(incoming): \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var sidecars = Set<String>()
        var audio: [String: [String]] = [:]
        while let entry = readdir(dir) {
            let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.prefix { $0 != 0 }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let name else { skipped("a file name in \(incoming) is not valid UTF-8"); continue }
            if name == "." || name == ".." || Self.isIgnored(name) { continue }
            if name.contains("\n") || name.contains("\r") || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                skipped("\(name.debugDescription): control characters in the name"); continue
            }
            if name.hasSuffix(".json") {
                sidecars.insert(String(name.dropLast(5)))
            } else if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                audio[String(name[..<dot]), default: []].append(name)
            }
        }
        return sidecars.sorted().compactMap { stem in
            guard let candidates = audio[stem], !candidates.isEmpty else { return nil }
            return JobQueue.Arrival(stem: stem, audioName: candidates.sorted()[0])
        }
    }

    public func incomingPath(_ name: String) -> String { incoming + "/" + name }
    public func sidecarName(_ stem: String) -> String { stem + ".json" }
}
