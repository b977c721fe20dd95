import CallVaultCore
import CallVaultFiles
import CallVaultStore
import Foundation

/// Ties an archive root to its index: a marker file `ARCHIVE/.callvault-archive` names the
/// index's id (``IndexIdentityStore/identity()``: SQLite or PostgreSQL), and the index records the root of the last `run`.
///
/// - The first `run` writes the marker and records the root.
/// - A command given no archive (no `--archive`, none in the config) uses the recorded root.
/// - A root whose marker names another index is refused; so is a root without a marker when the
///   index has calls (a wrong, empty or unmounted folder). The same archive mounted at another
///   path is accepted, because its marker matches; `run` then records the new path.
/// - An index made before archives had markers adopts the root at its next `run` when some of
///   its newest archive files are there.
///
/// ```swift
/// let root = try ArchiveIdentity.root(given: nil, fallback: "/srv/calls", index: index)
/// try ArchiveIdentity.check(root: root, index: index, claim: false)
/// ```
public enum ArchiveIdentity {
    public static let markerName = CallIndex.archiveMarkerName

    public struct Marker: Codable, Sendable, Equatable {
        public var indexID: String
        public var createdAt: String
        public var note: String

        enum CodingKeys: String, CodingKey { case indexID = "index_id", createdAt = "created_at", note }
    }

    /// The root to use: the one given (`--archive` or the config's), else the one the index
    /// recorded at its last run, else `fallback` (`./archive`).
    public static func root(given: String?, fallback: String, index: some IndexIdentityStore) throws -> String {
        if let given { return given }
        return try index.recordedArchiveRoot() ?? fallback
    }

    public static func markerPath(root: String) -> String { root + "/" + markerName }

    /// Refuses `root` when it is not `index`'s archive (see the type's summary). With `claim`
    /// (`run`), writes the marker into a root the index may use and records the root.
    public static func check(root: String, index: some IndexIdentityStore, claim: Bool) throws {
        guard let id = try index.identity() else { return }  // read-only open of an index older than identities
        if claim { removeDeadTemporaryMarkers(root: root) }
        let recorded = try index.recordedArchiveRoot()
        // Count before reading the marker: a worker starting beside another (two `run`s on a new
        // index) may find no marker, then calls the other archived after writing its marker. The
        // marker is written before the first call is archived, so calls counted here mean a marker
        // read after them is there.
        let calls = try index.callCount()
        if let marker = try readMarker(root: root) {
            guard marker.indexID == id else {
                throw WorkerError.configuration("""
                    \(root) is the archive of another index (its \(markerName) names index \(marker.indexID); \
                    this index is \(id)): give the archive root of this index with --archive or the config's archive
                    """)
            }
            if claim && recorded != root { try index.recordArchiveRoot(root) }
            return
        }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: root, isDirectory: &isDir) && isDir.boolValue
        if calls == 0 {
            if claim && exists { try writeMarker(root: root, indexID: id); try index.recordArchiveRoot(root) }
            return
        }
        guard exists else {
            throw WorkerError.configuration("archive folder \(root) does not exist; the index has \(calls) calls"
                                            + (recorded.map { " archived under \($0)" } ?? "") + " (is the archive mounted?)")
        }
        if recorded == nil, try holdsFilesOfIndex(root: root, index: index) {
            // An index from before markers: adopt the root that has its files.
            if claim { try writeMarker(root: root, indexID: id); try index.recordArchiveRoot(root) }
            return
        }
        throw WorkerError.configuration("""
            \(root) is not this index's archive: it has no \(markerName) marker, and the index has \(calls) calls\
            \(recorded.map { " archived under \($0)" } ?? ""). Give the right --archive (a moved archive keeps its \
            \(markerName) file), or see "Moving an archive" in the README
            """)
    }

    /// The marker in `root`, nil when there is none; a marker that cannot be read is an error.
    public static func readMarker(root: String) throws -> Marker? {
        let path = markerPath(root: root)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let marker = try? JSONDecoder().decode(Marker.self, from: data) else {
            throw WorkerError.configuration("\(path) is not a readable callvault archive marker")
        }
        return marker
    }

    /// Writes the marker atomically (temporary name, fsync, rename, folder fsync), mode 0640.
    static func writeMarker(root: String, indexID: String) throws {
        let marker = Marker(indexID: indexID, createdAt: Timestamp.format(Date()),
                            note: "callvault archive root of index \(indexID); keep this file with the archive")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(Array(try encoder.encode(marker)) + [0x0a], to: markerPath(root: root))
        } catch let e as FileSystemError {
            throw WorkerError.configuration("cannot write the archive marker: \(e)")
        }
    }

    /// Temporary marker files (`..callvault-archive.tmp-PID`) of processes that died while writing one.
    static func removeDeadTemporaryMarkers(root: String) {
        let prefix = "." + markerName + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(root + "/" + name)
        }
    }

    /// Some of the index's newest archive files are under `root`, or none of its calls has audio left.
    static func holdsFilesOfIndex(root: String, index: some IndexIdentityStore) throws -> Bool {
        let paths = try index.newestArchivePaths(limit: 20)
        return paths.isEmpty || paths.contains { FileManager.default.fileExists(atPath: root + "/" + $0) }
    }
}
