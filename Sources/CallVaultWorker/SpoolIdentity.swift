import CallVaultCore
import CallVaultFiles
import Foundation

/// Which spool a pair came from, for a queue that several machines share (PostgreSQL): the
/// marker `SPOOL/.callvault-spool` names the spool with a random id, written by the first `run`
/// that finds none. A worker claims only jobs of its own spool, since it can read no other: with
/// a spool of its own per machine (its switch's), two machines never take each other's pairs,
/// even under the same stem or the same local path (`/var/spool/calls` on each); machines
/// sharing one spool on a common mount read one marker, so they share its jobs.
///
/// A path would not do: the same path is a different spool on each machine when it is local, and
/// a shared spool may be mounted at different paths.
///
/// ```swift
/// let queue = PostgresQueueStore(index: index, leaseSeconds: 120, spool: try SpoolIdentity.id(spool: "/var/spool/calls"))
/// ```
public enum SpoolIdentity {
    public static let markerName = ".callvault-spool"

    public struct Marker: Codable, Sendable, Equatable {
        public var spoolID: String
        public var createdAt: String
        public var note: String

        enum CodingKeys: String, CodingKey { case spoolID = "spool_id", createdAt = "created_at", note }
    }

    /// The id in `spool`'s marker, written first if there is none (of machines starting at once
    /// on a shared spool, one writes it and all read the same).
    public static func id(spool: String) throws -> String {
        let path = spool + "/" + markerName
        if let marker = try read(path) { return marker.spoolID }
        let marker = Marker(spoolID: UUID().uuidString.lowercased(), createdAt: Timestamp.format(Date()),
                            note: "callvault spool identity: the queue's jobs of this spool carry this id; keep this file with the spool")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.create(Array(try encoder.encode(marker)) + [0x0a], at: path)
        } catch let e as FileSystemError {
            throw WorkerError.configuration("cannot write the spool marker: \(e)")
        }
        guard let written = try read(path) else { throw WorkerError.configuration("\(path): the spool marker vanished after it was written") }
        return written.spoolID
    }

    /// The marker at `path`, nil when there is none; one that cannot be read is an error.
    static func read(_ path: String) throws -> Marker? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let marker = try? JSONDecoder().decode(Marker.self, from: data), !marker.spoolID.isEmpty else {
            throw WorkerError.configuration("\(path) is not a readable callvault spool marker (delete it only if no job of this spool is unfinished)")
        }
        return marker
    }
}
