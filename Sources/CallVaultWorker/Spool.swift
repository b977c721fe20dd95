import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation

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

    /// Ready pairs in `incoming/`, sorted by stem. A pair is ready when `STEM.json` and another
    /// `STEM.EXT` exist (several audio files for one stem: the first by name); audio alone is left
    /// untouched. A name that is not valid UTF-8 cannot be named in the index or in a message: the
    /// file is moved to `failed/` under a readable name (`skipped` says which).
    public func scan(skipped: (String) -> Void = { _ in }) throws -> [SpoolArrival] {
        guard let dir = opendir(incoming) else {
            throw WorkerError.configuration("cannot read \(incoming): \(FileSystemError.listFolder(incoming, errno: errno).reason)")
        }
        defer { closedir(dir) }
        var sidecars = Set<String>()
        var audio: [String: [String]] = [:]
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(dir) {
            // Read the name through a pointer, up to its NUL: the kernel's record can end before
            // the 256 bytes `d_name` is declared with (copying the field overflows; found by ASan).
            let cName = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: UInt8.self)
            let bytes = UnsafeBufferPointer(start: cName, count: strlen(UnsafeRawPointer(cName).assumingMemoryBound(to: CChar.self)))
            guard let name = String(validating: bytes, as: UTF8.self) else {
                skipped(quarantineUnnamable(Array(bytes)))
                continue
            }
            if name == "." || name == ".." || Self.isIgnored(name) { continue }
            if name.hasSuffix(".json") {
                sidecars.insert(String(name.dropLast(5)))
            } else if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                audio[String(name[..<dot]), default: []].append(name)
            }
        }
        return sidecars.sorted().compactMap { stem in
            guard let candidates = audio[stem], !candidates.isEmpty else { return nil }
            return SpoolArrival(stem: stem, audioName: candidates.sorted()[0])
        }
    }

    public func incomingPath(_ name: String) -> String { incoming + "/" + name }

    /// Splits `arrivals` into pairs whose files have not changed for `seconds` and the rest;
    /// `waitUntil` is when the last of the rest would be settled if nothing changes meanwhile.
    public func settled(_ arrivals: [SpoolArrival], seconds: Double, now: Date) -> (ready: [SpoolArrival], unsettled: Int, waitUntil: Date?) {
        guard seconds > 0 else { return (arrivals, 0, nil) }
        var ready: [SpoolArrival] = []
        var unsettled = 0
        var waitUntil: Date?
        for arrival in arrivals {
            let changed = [sidecarName(arrival.stem), arrival.audioName].map { lastChange(incomingPath($0)) }.max() ?? 0
            let settledAt = Date(timeIntervalSince1970: changed + seconds)
            if settledAt <= now {
                ready.append(arrival)
            } else {
                unsettled += 1
                waitUntil = max(waitUntil ?? settledAt, settledAt)
            }
        }
        return (ready, unsettled, waitUntil)
    }

    /// The later of the modification and status-change times (a write changes both; a rename or
    /// `cp -p` only the latter), in seconds since 1970; 0 when the file is gone.
    private func lastChange(_ path: String) -> Double {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        let m = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        let c = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
        return max(m, c)
    }

    /// Moves a file whose name is not UTF-8 to `failed/NONUTF8-<hex of the name>` with an error file.
    private func quarantineUnnamable(_ bytes: [UInt8]) -> String {
        let hex = bytes.hexString
        let readable = "NONUTF8-" + String(hex.prefix(200))
        var source = Array(incoming.utf8) + [UInt8(ascii: "/")] + bytes + [0]
        let target = failed + "/" + readable
        let moved = source.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { rename($0.baseAddress!, target) == 0 }
        }
        let failure = moved ? nil : FileSystemError.rename(target, errno: errno)
        let reason = "a file name in incoming/ is not valid UTF-8 (bytes \(hex)); moved to failed/\(readable)"
        if moved { try? writeErrorReport(for: readable, reason: reason, attempts: 1, at: Date()) }
        return moved ? reason : "a file name in incoming/ is not valid UTF-8 (bytes \(hex)) and could not be moved: \(failure?.reason ?? "")"
    }
    public func sidecarName(_ stem: String) -> String { stem + ".json" }

    /// Writes `failed/STEM.error.json` atomically: `{"error", "attempts", "failed_at"}` and `extra` fields.
    public func writeErrorReport(for stem: String, reason: String, attempts: Int, at date: Date, extra: [String: String] = [:]) throws {
        var report: [String: Any] = ["error": reason, "attempts": attempts, "failed_at": Timestamp.format(date)]
        for (key, value) in extra { report[key] = value }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(Array(data) + [0x0a], to: failed + "/" + stem + ".error.json", mode: 0o640)
    }
}
