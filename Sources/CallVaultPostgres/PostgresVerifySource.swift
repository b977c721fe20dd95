import CallVaultCore
import CallVaultStore
import Foundation
import PostgresNIO

/// What `verify` reads of a PostgreSQL index (``VerifySource``), synchronous as the verifier is:
/// each call waits through ``PostgresBlocking``, so the verifier runs on a thread of its own, never
/// on the cooperative pool (the CLI starts one).
public struct PostgresVerifySource: VerifySource {
    public let index: PostgresIndex

    /// Quarters of the report aggregates ``aggregateDifferences()`` compares with the calls.
    public var aggregateSample = 200

    public init(index: PostgresIndex) { self.index = index }

    public func archivedFiles(since: Date?, sample: Int?) throws -> [VerifyIndex.ArchivedFile] {
        let sinceText = since.map { Timestamp.format($0) }
        let limit = sample.map(Int64.init)
        return try PostgresBlocking.wait { [index] in
            // ORDER BY random() only for a sample, as on SQLite; LIMIT NULL is no limit.
            let order = limit == nil ? "" : "ORDER BY random()"
            return try await index.query("reading the archived files", """
                SELECT id, archive_path, sha256, audio_purged_at, opus_sha256 FROM calls
                WHERE (\(sinceText)::text IS NULL OR started_at >= \(sinceText)) \(unescaped: order) LIMIT \(limit)
                """).map { row in
                let (id, path, sha256, purgedAt, opusSha256) = try row.decode((String, String, String, String?, String?).self)
                return VerifyIndex.ArchivedFile(id: id, archivePath: path, sha256: sha256, opusSha256: opusSha256 ?? sha256, purged: purgedAt != nil)
            }
        }
    }

    public func archivePath(ofCall id: String) throws -> String? {
        try PostgresBlocking.wait { [index] in
            try await index.query("reading the archive path of \(id)", "SELECT archive_path FROM calls WHERE id = \(id)").first?.decode(String.self)
        }
    }

    public func auditEntryCount() throws -> Int {
        try PostgresBlocking.wait { [index] in
            Int(try await index.query("counting audit entries", "SELECT count(*) FROM audit").first?.decode(Int64.self) ?? 0)
        }
    }

    public func firstBrokenAuditLink() throws -> (seq: Int64, reason: String)? {
        let broken = try PostgresBlocking.wait { [index] in
            try await PostgresAuditLog(index: index).firstBrokenLink().map { BrokenLink(seq: $0.seq, reason: $0.reason) }
        }
        return broken.map { ($0.seq, $0.reason) }
    }

    /// A sample of the report aggregates' quarters and days compared with the calls (``PostgresAggregateSample``).
    public func aggregateDifferences() throws -> [String] {
        try PostgresBlocking.wait { [index, aggregateSample] in try await PostgresAggregateSample(index: index, sample: aggregateSample).differences() }
    }

    public func appendAudit(action: String, ids: [String], reason: String, details: [String: String]) throws {
        try PostgresBlocking.wait { [index] in
            try await PostgresAuditLog(index: index).append(action: action, ids: ids, reason: reason, details: details)
        }
    }

    /// A broken link as a Sendable value (a labelled tuple is not one).
    private struct BrokenLink: Sendable {
        var seq: Int64
        var reason: String
    }
}
