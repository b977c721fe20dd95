import PostgresNIO

/// The index's `meta` values and its size, for the archive's identity (the worker's
/// ``PostgresQueueStore`` wraps these for its synchronous `IndexIdentityStore`; a command reads
/// them here, without blocking a thread).
extension PostgresIndex {
    /// `meta.value` of `key` (`index_id`, `archive_root`), nil when unset.
    public func meta(_ key: String) async throws -> String? {
        try await query("reading \(key)", "SELECT value FROM meta WHERE key = \(key)").first?.decode(String.self)
    }

    public func setMeta(_ key: String, _ value: String) async throws {
        _ = try await query("recording \(key)", """
            INSERT INTO meta (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """)
    }

    /// How many calls the index has records of.
    public func callCount() async throws -> Int {
        Int(try await query("counting calls", "SELECT count(*) FROM calls").first?.decode(Int64.self) ?? 0)
    }
}
