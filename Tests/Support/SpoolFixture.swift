import Foundation

/// A spool, archive and index in a temporary folder, filled with real-speech pairs.
package struct SpoolFixture {
    package let root: URL
    package var spool: String { root.appendingPathComponent("spool").path }
    package var incoming: String { spool + "/incoming" }
    package var failed: String { spool + "/failed" }
    package var archive: String { root.appendingPathComponent("archive").path }
    package var database: String { root.appendingPathComponent("index.sqlite").path }
    /// For `run`: pairs are written whole before it starts, so no settle time is needed.
    /// Where the data lives, for every command that takes the store options.
    package var storeFlags: [String] { ["--spool", spool, "--archive", archive, "--db", database] }
    /// For `run`: the store, and no settle time (the fixture writes whole files).
    package var flags: [String] { storeFlags + ["--settle-seconds", "0"] }

    package init(name: String = #function) throws {
        root = try Support.temporaryDirectory(name)
        for dir in [incoming, archive] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    package func remove() { try? FileManager.default.removeItem(at: root) }

    /// Copies a fixture in as `STEM.EXT` and writes `STEM.json` (last, as a switch does).
    package func add(stem: String, fixture: String, sidecar: [String: Any]) throws {
        let ext = (fixture as NSString).pathExtension
        try FileManager.default.copyItem(atPath: Support.fixture(fixture), toPath: incoming + "/" + stem + "." + ext)
        try writeSidecar(stem: stem, sidecar)
    }

    package func writeSidecar(stem: String, _ sidecar: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: sidecar, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: incoming + "/" + stem + ".json"))
    }

    package func writeSidecar(stem: String, raw: String) throws {
        try Data(raw.utf8).write(to: URL(fileURLWithPath: incoming + "/" + stem + ".json"))
    }

    package static func sidecar(_ number: String = "+14155550100", at time: String = "2026-11-28T14:03:00Z",
                        callID: String? = nil, extra: [String: Any] = [:]) -> [String: Any] {
        var s: [String: Any] = ["tracking_number": number, "started_at": time]
        if let callID { s["call_id"] = callID }
        return s.merging(extra) { $1 }
    }

    /// Puts each call — (stem, fixture, tracking number, started_at, caller) — in the spool with its
    /// sidecar, then archives them all with `run --once`; a failed run throws with its stderr.
    package func archive(_ calls: [(String, String, String, String, String)]) throws {
        for (stem, fixture, number, time, caller) in calls {
            try add(stem: stem, fixture: fixture, sidecar: Self.sidecar(number, at: time, callID: stem, extra: ["caller": caller]))
        }
        let r = try run()
        try Support.require(r.status == 0, r.stderr)
    }

    package func run(_ extra: [String] = []) throws -> Support.Result {
        try Support.callvault(["run", "--once"] + flags + extra)
    }

    /// Rows of a query through the `sqlite3` CLI (an independent reader of the index).
    package func sql(_ query: String) throws -> [[String]] {
        let r = try Support.run("sqlite3", ["-separator", "\t", database, query])
        try Support.require(r.status == 0, "sqlite3: \(r.stderr)")
        return r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Files under `dir`, relative; the archive root's identity marker is not one of them.
    package func files(in dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0 != ".callvault-archive" }.filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    package func sha256(_ path: String) throws -> String {
        String(try Support.run("sha256sum", [path]).stdout.prefix(64))
    }

    /// The exactly-once invariants: each record's file exists with its hash, no file without a
    /// record, no temporary file, every call_id at most once. Returns problems found.
    package func invariantViolations() throws -> [String] {
        var problems: [String] = []
        // A worker killed before the new index's first migration committed leaves no calls table:
        // no record, so any file in the archive is an orphan.
        let hasCalls = try sql("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'calls'") == [["1"]]
        let rows = hasCalls ? try sql("SELECT id, call_id, archive_path, sha256 FROM calls") : []
        var paths = Set<String>()
        for row in rows {
            let path = archive + "/" + row[2]
            paths.insert(row[2])
            if !FileManager.default.fileExists(atPath: path) { problems.append("record \(row[1]) without file \(row[2])"); continue }
            if try sha256(path) != row[3] { problems.append("file \(row[2]) does not match its SHA-256") }
        }
        for file in files(in: archive) {
            if (file as NSString).lastPathComponent.hasPrefix(".") { problems.append("temporary file left: \(file)") }
            else if !paths.contains(file) { problems.append("orphan file: \(file)") }
        }
        let callIDs = rows.map { $0[1] }
        if Set(callIDs).count != callIDs.count { problems.append("a call_id is indexed twice") }
        return problems
    }
}
